package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.duckdb.DuckDb;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code docs/howto/} true: runs the commands {@code duckdb.md} lists (in this JVM, through
 * {@link Beamline#run}, with flags that only shorten them), then every SQL block of the page
 * against their outputs (each must return rows, and every table file the commands wrote must be
 * read by some block), and checks the re-run claims of {@code cron.md} and {@code slurm.md}: the
 * same command run again into one output directory commits the same rows, never a duplicate.
 */
class HowtoDocsIT {
  private static final Path HOWTO = Paths.get("..", "docs", "howto").toAbsolutePath().normalize();

  /** Flags that only make a documented command short; appended to the page's command. */
  private static final List<String> REGIONS_SHORT =
      List.of(
          "--synthetic-regions",
          "6",
          "--synthetic-channels",
          "8",
          "--segment-ms",
          "2500",
          "--segments",
          "2",
          "--iterations",
          "0",
          "--source-a",
          "3.6",
          "--eeg-samples-per-file",
          "16",
          "--n-data",
          "2");

  @TempDir static Path work;
  static Path out;
  static Path audio;
  static Path spec;

  record Result(int code, String out, String err) {}

  static Result beamline(List<String> args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        Beamline.run(
            new PrintWriter(o, true), new PrintWriter(e, true), args.toArray(String[]::new));
    return new Result(code, o.toString(), e.toString());
  }

  static void expect(int status, List<String> args) {
    long start = System.nanoTime();
    Result r = beamline(args);
    // The time of each command, so a slow machine's report says where the minute went.
    System.out.printf(
        Locale.ROOT,
        "HowtoDocsIT: %.1f s, status %d: beamline %s%n",
        (System.nanoTime() - start) / 1e9,
        r.code(),
        String.join(" ", args));
    assertEquals(status, r.code(), "beamline " + String.join(" ", args) + "\n" + r.err() + r.out());
  }

  /** The {@code ./beamline} command lines of duckdb.md's first bash block, as argument lists. */
  static List<List<String>> documentedCommands() throws IOException {
    String md = Files.readString(HOWTO.resolve("duckdb.md"));
    Matcher m = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(md);
    assertTrue(m.find(), "duckdb.md has no bash block listing the commands");
    List<List<String>> commands = new ArrayList<>();
    for (String line : m.group(1).replace("\\\n", " ").split("\n")) {
      if (!line.startsWith("./beamline ")) {
        continue;
      }
      List<String> args = new ArrayList<>();
      for (String word : line.substring("./beamline ".length()).trim().split("\\s+")) {
        args.add(
            word.startsWith("out/")
                ? out.resolve(word.substring(4)).toString()
                : switch (word) {
                  case "data/audio" -> audio.toString();
                  case "job.yaml" -> spec.toString();
                  default -> word;
                });
      }
      commands.add(args);
    }
    return commands;
  }

  /** The page's command for {@code pipeline} (its first words), shortened where it needs it. */
  static List<String> command(String... pipeline) throws IOException {
    for (List<String> c : documentedCommands()) {
      if (c.subList(0, pipeline.length).equals(Arrays.asList(pipeline))) {
        List<String> args = new ArrayList<>(c);
        if (pipeline[0].equals("regions")) {
          args.addAll(REGIONS_SHORT);
        } else if (pipeline[0].equals("constellation")) {
          args.add("--no-kafka");
        }
        return args;
      }
    }
    throw new AssertionError("duckdb.md lists no command " + String.join(" ", pipeline));
  }

  @BeforeAll
  static void runTheDocumentedCommands() throws IOException {
    out = work.resolve("out");
    audio = Files.createDirectories(work.resolve("data/audio"));
    spec = work.resolve("job.yaml");
    Files.writeString(spec, "model: brainstate-cnn\nepochs: 2\nbatch_size: 8\n");
    // 9 s of tones in noise, seeded: three 3 s chunks; and a file that is not a WAV.
    int rate = 22_050;
    float[][] x = new float[1][rate * 9];
    Random random = new Random(7);
    for (int i = 0; i < x[0].length; i++) {
      double t = (double) i / rate;
      x[0][i] =
          (float)
              (0.02 * random.nextGaussian()
                  + ((int) t % 3 == 1 ? 0.4 * Math.sin(2 * Math.PI * 3000 * t) : 0));
    }
    WavWriter.write(audio.resolve("site1_rec1.wav"), Audio.of(rate, x), WavEncoding.PCM_16);
    Files.writeString(audio.resolve("site1_broken.wav"), "not a wav file\n");

    assertEquals(6, documentedCommands().size(), "duckdb.md's command list changed");
    expect(0, command("demo"));
    // As slurm.md's array: two ranges into one output directory, then the full range, which
    // skips every region and derives the tables (and the source table, the EEG mix) from all
    // records.
    List<String> regions = command("regions");
    expect(0, withRange(regions, "0", "2"));
    expect(0, withRange(regions, "2", "4"));
    expect(0, regions);
    expect(3, command("infer", "chunk")); // the broken file fails its recording: partial
    expect(0, command("infer", "run"));
    expect(0, command("infer", "aggregate"));
    expect(0, command("constellation"));
  }

  /**
   * {@code args} as one array task of slurm.md: its {@code --start-region}/{@code --end-region}
   * values replaced, without the source table and EEG mix that only the finishing run builds.
   */
  static List<String> withRange(List<String> args, String start, String end) {
    List<String> r = new ArrayList<>(args);
    r.set(r.indexOf("--start-region") + 1, start);
    r.set(r.indexOf("--end-region") + 1, end);
    r.removeAll(List.of("--synthetic-sources", "--mix-eeg"));
    return r;
  }

  /** The page's SQL blocks with the documented {@code out/} prefix made the real folder. */
  static List<String> sqlBlocks() throws IOException {
    String md = Files.readString(HOWTO.resolve("duckdb.md"));
    Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(md);
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1).replace("'out/", "'" + out + "/"));
    }
    return blocks;
  }

  /**
   * Runs a block's statements in a fresh database (comments dropped, split at semicolons; the page
   * has no semicolon inside a string) and returns the row count of its last query.
   */
  static long rows(String block) throws Exception {
    long rows = -1;
    try (DuckDb db = DuckDb.inMemory()) {
      for (String s : block.replaceAll("--[^\n]*", "").split(";")) {
        if (s.isBlank()) {
          continue;
        }
        if (s.strip().toUpperCase(Locale.ROOT).matches("(?s)(ATTACH|USE)\\b.*")) {
          db.execute(s);
        } else {
          rows = db.rows(s).size();
        }
      }
    }
    return rows;
  }

  @Test
  void everyQueryOfTheDuckdbPageReturnsRows() throws Exception {
    List<String> blocks = sqlBlocks();
    assertTrue(blocks.size() >= 25, "expected a query per output, found " + blocks.size());
    List<String> empty = new ArrayList<>();
    for (String block : blocks) {
      long n = rows(block);
      if (n < 1) {
        empty.add(block);
      }
    }
    assertEquals(List.of(), empty, "queries of docs/howto/duckdb.md that returned no rows");
  }

  @Test
  void everyTableFileTheCommandsWroteIsReadByAQuery() throws Exception {
    List<PathMatcher> globs = new ArrayList<>();
    Matcher m =
        Pattern.compile("'" + Pattern.quote(out.toString()) + "/([^']+)'")
            .matcher(String.join("\n", sqlBlocks()));
    while (m.find()) {
      globs.add(FileSystems.getDefault().getPathMatcher("glob:" + m.group(1)));
    }
    List<String> unread;
    try (Stream<Path> files = Files.walk(out)) {
      unread =
          files
              .filter(Files::isRegularFile)
              .map(out::relativize)
              .filter(p -> p.toString().matches(".*\\.(parquet|jsonl|json|csv|duckdb)"))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              // The run directory's other files (options, plan) are records, not tables.
              .filter(
                  p ->
                      !p.toString().matches("[^/]+/runs/.*")
                          || p.toString().matches(".*/(manifest|metrics)\\.json"))
              .filter(p -> globs.stream().noneMatch(g -> g.matches(p)))
              .map(Path::toString)
              .sorted()
              .toList();
    }
    assertEquals(List.of(), unread, "output files no query of docs/howto/duckdb.md reads");
  }

  @Test
  void everyShellBlockOfTheHowtosParses() throws Exception {
    // bash -n: the wrapper and sbatch scripts and the command lists are at least valid shell.
    List<String> broken = new ArrayList<>();
    try (Stream<Path> pages = Files.list(HOWTO)) {
      for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        Matcher m =
            Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(page));
        while (m.find()) {
          Path script = Files.writeString(work.resolve("block.sh"), m.group(1));
          Process p =
              new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
          String said = new String(p.getInputStream().readAllBytes());
          if (p.waitFor() != 0) {
            broken.add(page.getFileName() + ": " + said);
          }
        }
      }
    }
    assertEquals(List.of(), broken, "shell blocks of docs/howto that bash cannot parse");
  }

  /** Row count and distinct keys of a query's result, through DuckDB. */
  static List<Object> counts(String from, String key) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      return db.rows("SELECT count(*), count(DISTINCT " + key + ") FROM " + from).get(0);
    }
  }

  static String parquet(String glob) {
    return "read_parquet(" + DuckDb.literal(out.resolve(glob).toString()) + ")";
  }

  static String commits(String dir, String pipeline) {
    return "read_json_auto("
        + DuckDb.literal(out.resolve(dir).resolve("commits").resolve(pipeline) + "/*.json")
        + ", union_by_name = true) WHERE status = 'succeeded'";
  }

  @Test
  void runningACommandAgainCommitsTheSameRowsNeverADuplicate() throws Exception {
    record Check(String name, List<String> command, int status, String from, String key) {}
    List<Check> checks =
        List.of(
            new Check(
                "demo",
                command("demo"),
                0,
                parquet("demo/demo/window_stats/*.parquet"),
                "(sensor_id, window_start)"),
            new Check(
                "regions items", command("regions"), 0, commits("regions", "regions"), "item"),
            new Check(
                "regions clips",
                null,
                0,
                parquet("regions/spike_clips/*.parquet"),
                "(region, iteration, clip)"),
            new Check(
                "infer chunk",
                command("infer", "chunk"),
                3,
                parquet("infer/chunk_table/*.parquet"),
                "chunk_id"),
            new Check(
                "infer run",
                command("infer", "run"),
                0,
                parquet("infer/detections/*.parquet"),
                "(chunk_id, label)"),
            new Check("infer run items", null, 0, commits("infer", "infer-run"), "item"));
    List<List<Object>> before = new ArrayList<>();
    for (Check c : checks) {
      before.add(counts(c.from(), c.key()));
      assertEquals(
          before.get(before.size() - 1).get(0),
          before.get(before.size() - 1).get(1),
          c.name() + ": duplicate rows before the re-run");
      assertTrue(((Number) before.get(before.size() - 1).get(0)).longValue() > 0, c.name());
    }
    for (Check c : checks) {
      if (c.command() != null) {
        expect(c.status(), c.command());
      }
    }
    for (int i = 0; i < checks.size(); i++) {
      assertEquals(
          before.get(i),
          counts(checks.get(i).from(), checks.get(i).key()),
          checks.get(i).name() + ": rows (all, distinct) after running the command again");
    }
    // cron.md: regions and infer chunk skip what is committed; infer run (without
    // --resume-completed) runs every chunk again and replaces it: one detections table per
    // manifest, each chunk's newest commit.
    assertRerun("regions", "regions", "a region committed with the same settings is skipped");
    assertRerun("infer", "infer-chunk", "a committed recording is skipped");
    try (Stream<Path> tables = Files.list(out.resolve("infer/detections"))) {
      assertEquals(1, tables.count(), "one detections table per manifest");
    }
  }

  /** The newest run of {@code dir} committed nothing new for {@code pipeline}: it skipped. */
  private static void assertRerun(String dir, String pipeline, String why) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      String runs = DuckDb.literal(out.resolve(dir).resolve("runs") + "/*/manifest.json");
      String newest =
          (String)
              db.rows(
                      "SELECT run_id FROM read_json_auto("
                          + runs
                          + ", union_by_name = true)"
                          + " WHERE pipeline = "
                          + DuckDb.literal(pipeline)
                          + " ORDER BY start_utc DESC LIMIT 1")
                  .get(0)
                  .get(0);
      long byNewest =
          db.count(
              "SELECT * FROM read_json_auto("
                  + DuckDb.literal(
                      out.resolve(dir).resolve("commits").resolve(pipeline) + "/*.json")
                  + ", union_by_name = true) WHERE status = 'succeeded' AND run_id = "
                  + DuckDb.literal(newest));
      assertEquals(0, byNewest, pipeline + ": " + why + " (run " + newest + ")");
    }
  }
}

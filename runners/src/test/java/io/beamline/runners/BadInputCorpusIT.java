package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.files.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus ({@code testdata/bad-inputs}, see its README) fed to every command that
 * reads that kind of input, each command in a JVM with a 512 MB heap whose peak resident memory
 * must stay under 1 GB. Every bad input must give either a usage error (exit 2: one line on stderr
 * naming the input, the output directory left exactly as it was) or a per-item failure record
 * naming the input (exit 3: the run says how many items failed; items committed before stay
 * intact). Exit 0 (silently accepted) and exit 1 (crashed) are failures of the test.
 */
class BadInputCorpusIT {
  static final Path CORPUS = Paths.get("..", "testdata", "bad-inputs").toAbsolutePath().normalize();
  static final long MAX_RSS_KB = 1024 * 1024;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private static final List<String> LOG = new ArrayList<>();
  private static final List<ServerSocket> SERVERS = new ArrayList<>();

  /**
   * One command fed one bad input; its error or failure record must name one of {@code mentions}
   * (the input file, or for a manifest's row the file the row names).
   */
  record Case(String input, List<String> args, Path out, List<String> mentions) {
    Case(String input, List<String> args, Path out, String mentions) {
      this(input, args, out, List.of(mentions));
    }

    boolean named(String text) {
      return text != null && mentions.stream().anyMatch(text::contains);
    }
  }

  /** What one command did. */
  record Result(int code, String out, String err) {}

  @BeforeAll
  static void goodRecording() throws IOException {
    WavWriter.write(good(), tone(7), WavEncoding.PCM_16);
  }

  @AfterAll
  static void report() throws IOException {
    for (ServerSocket s : SERVERS) {
      s.close();
    }
    LOG.forEach(System.out::println);
  }

  static Path good() {
    return work.resolve("good/site1.wav");
  }

  static Audio tone(int seconds) {
    float[][] x = new float[1][22_050 * seconds];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.9) * (i % 22_050 < 4000 ? 1 : 0.05));
    }
    return Audio.of(22_050, x);
  }

  static List<Path> corpus(String kind) throws IOException {
    try (Stream<Path> s = Files.list(CORPUS.resolve(kind))) {
      return s.sorted().toList();
    }
  }

  /** Runs the cases in one driver JVM under /usr/bin/time; returns results and peak RSS (KB). */
  static List<Result> drive(String kind, List<Case> cases) throws Exception {
    Path casesFile = work.resolve(kind + "-cases.json");
    Path resultsFile = work.resolve(kind + "-results.json");
    Path timeFile = work.resolve(kind + "-time.txt");
    List<List<String>> argv = cases.stream().map(Case::args).toList();
    Files.writeString(casesFile, JSON.writeValueAsString(argv));
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/time", "-f", "%M", "-o", timeFile.toString()));
    cmd.add(ShadedJarIT.JAVA);
    cmd.add("-Xmx512m");
    cmd.addAll(ShadedJarIT.addOpens());
    cmd.addAll(ShadedJarIT.quickJvm());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-cp");
    cmd.add(
        ShadedJarIT.JAR
            + java.io.File.pathSeparator
            + Paths.get("target", "test-classes").toAbsolutePath());
    cmd.add(BadInputDriver.class.getName());
    cmd.add(casesFile.toString());
    cmd.add(resultsFile.toString());
    Process p =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectOutput(work.resolve(kind + "-driver.out").toFile())
            .redirectError(work.resolve(kind + "-driver.err").toFile())
            .start();
    assertTrue(p.waitFor(900, TimeUnit.SECONDS), kind + ": driver timed out");
    assertEquals(
        0,
        p.exitValue(),
        kind + ": driver failed: " + Files.readString(work.resolve(kind + "-driver.err")));
    long rss = Long.parseLong(Files.readAllLines(timeFile).get(0).trim());
    assertTrue(rss < MAX_RSS_KB, kind + ": peak memory " + rss / 1024 + " MB >= 1 GB");
    List<Result> results = new ArrayList<>();
    for (JsonNode r : JSON.readTree(resultsFile.toFile())) {
      results.add(new Result(r.get("code").asInt(), r.get("out").asText(), r.get("err").asText()));
    }
    LOG.add(
        String.format(
            "bad-input corpus %s: %d commands, peak RSS %d MB", kind, cases.size(), rss / 1024));
    return results;
  }

  /** Path, size and modification time of every file under {@code dir}. */
  static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    if (!Files.exists(dir)) {
      return m;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        m.put(
            dir.relativize(p).toString(),
            Files.isDirectory(p)
                ? "dir"
                : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }

  /** Digests of every file a pipeline committed in {@code out}. */
  static Map<String, String> committed(Path out, String pipeline) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (CommitRecord r : ItemCommits.of(out, pipeline).readAll().values()) {
      if (!r.succeeded()) {
        continue;
      }
      for (CommitRecord.Output o : r.outputs()) {
        Path p = out.resolve(o.path());
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
              m.put(out.relativize(f).toString(), Digests.sha256(f));
            }
          }
        } else {
          m.put(o.path(), Digests.sha256(p));
        }
      }
    }
    return m;
  }

  /**
   * Checks one result against the rules; {@code before} is the output tree before the command.
   * Returns "usage" or "item", or adds what is wrong to {@code problems} and returns "bad".
   */
  static String check(
      String kind,
      Case c,
      Result r,
      Map<String, String> before,
      String pipeline,
      List<String> problems)
      throws IOException {
    String ctx = kind + " " + c.input() + " (" + String.join(" ", c.args()) + ")";
    if (r.code() != 2 && r.code() != 3) {
      problems.add(ctx + ": exit " + r.code() + " (must be 2 or 3): " + r.err() + r.out());
      return "bad";
    }
    if (r.code() == 2) {
      List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
      if (lines.size() != 1) {
        problems.add(ctx + ": a usage error is one line: " + r.err());
      } else if (!c.named(lines.get(0))) {
        problems.add(ctx + ": the error must name " + c.mentions() + ": " + lines.get(0));
      } else if (!lines.get(0).contains(";") && !lines.get(0).contains("did you mean")) {
        problems.add(ctx + ": the error must say the fix: " + lines.get(0));
      }
      if (!before.equals(tree(c.out()))) {
        problems.add(ctx + ": validation wrote to the output directory");
      }
      return "usage";
    }
    if (!r.err().contains("items failed")) {
      problems.add(ctx + ": a partial run says so: " + r.err());
    }
    boolean named = false;
    for (CommitRecord rec : ItemCommits.of(c.out(), pipeline).readAll().values()) {
      if (!rec.succeeded() && c.named(rec.error())) {
        named = rec.error().contains(";");
      }
    }
    if (!named) {
      problems.add(ctx + ": no failure record names " + c.mentions() + " with its fix");
    }
    return "item";
  }

  private static void summarise(String kind, List<String> outcomes) {
    long usage = outcomes.stream().filter("usage"::equals).count();
    LOG.add(
        String.format(
            "bad-input corpus %s: %d usage errors, %d per-item failure records",
            kind, usage, outcomes.size() - usage));
  }

  @Test
  void wavRecordingsFedToInferChunk() throws Exception {
    Path recordings = work.resolve("wav-recordings");
    Files.createDirectories(recordings);
    for (Path f : corpus("wav")) {
      Files.copy(f, recordings.resolve(f.getFileName()));
    }
    Files.copy(good(), recordings.resolve("site1.wav"));
    // UTF-8 oddities in an id: a right-to-left mark, a combining accent, a space.
    Files.copy(good(), recordings.resolve("cafe\u0301 \u200frec.wav"));
    Path out = work.resolve("wav-out");
    // Committed before: a good recording of an earlier run must survive the bad batch.
    Path earlier = work.resolve("wav-earlier");
    Files.createDirectories(earlier);
    Files.copy(good(), earlier.resolve("earlier.wav"));
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            "earlier",
            List.of(
                "infer",
                "chunk",
                "--recordings",
                earlier.toString(),
                "--output-dir",
                out.toString()),
            out,
            ""));
    List<Result> first = drive("wav-earlier", cases);
    assertEquals(0, first.get(0).code(), first.get(0).err());
    Map<String, String> kept = committed(out, "infer-chunk");
    assertTrue(!kept.isEmpty());

    Case batch =
        new Case(
            "wav/*",
            List.of(
                "infer",
                "chunk",
                "--recordings",
                recordings.toString(),
                "--output-dir",
                out.toString()),
            out,
            "");
    Result r = drive("wav", List.of(batch)).get(0);
    assertEquals(3, r.code(), "bad recordings make the run partial: " + r.err());
    assertTrue(r.err().contains("items failed"), r.err());
    Map<String, CommitRecord> records = ItemCommits.of(out, "infer-chunk").readAll();
    List<String> outcomes = new ArrayList<>();
    for (Path f : corpus("wav")) {
      String name = f.getFileName().toString();
      CommitRecord rec =
          records.values().stream()
              .filter(x -> !x.succeeded() && x.error() != null && x.error().contains(name))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no failure record names " + name));
      assertTrue(rec.error().contains(";"), name + ": the record says the fix: " + rec.error());
      outcomes.add("item");
    }
    long ok = records.values().stream().filter(CommitRecord::succeeded).count();
    assertEquals(3, ok, "site1, the odd-named recording and the earlier one are committed");
    Map<String, String> after = committed(out, "infer-chunk");
    for (Map.Entry<String, String> e : kept.entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()), "earlier output changed: " + e.getKey());
    }
    summarise("wav (infer chunk)", outcomes);
  }

  /** A chunked dataset of the good recording: its manifest, chunk files and output directory. */
  static Path chunkedDataset(String name) throws Exception {
    Path ds = work.resolve(name);
    Path rec = ds.resolve("recordings");
    Files.createDirectories(rec);
    Files.copy(good(), rec.resolve("site1.wav"));
    Result r =
        drive(
                name + "-chunk",
                List.of(
                    new Case(
                        "good",
                        List.of(
                            "infer",
                            "chunk",
                            "--recordings",
                            rec.toString(),
                            "--output-dir",
                            ds.toString()),
                        ds,
                        "")))
            .get(0);
    assertEquals(0, r.code(), r.err());
    return ds;
  }

  @Test
  void wavChunksFedToInferRun() throws Exception {
    Path ds = chunkedDataset("wav-chunks");
    Path chunkDir = ds.resolve("chunks/site1");
    List<Path> chunks;
    try (Stream<Path> s = Files.list(chunkDir)) {
      chunks = s.sorted().toList();
    }
    List<Path> bad = corpus("wav");
    Map<String, String> replaced = new LinkedHashMap<>();
    for (int i = 0; i < chunks.size() && i < bad.size(); i++) {
      Files.copy(bad.get(i), chunks.get(i), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      replaced.put(chunks.get(i).getFileName().toString(), bad.get(i).getFileName().toString());
    }
    Path out = work.resolve("wav-chunks-out");
    Case c =
        new Case(
            "wav chunks",
            List.of(
                "infer",
                "run",
                "--manifest",
                ds.resolve("manifests/site1.csv").toString(),
                "--output-dir",
                out.toString(),
                "--stub-runner",
                "--max-retries",
                "0"),
            out,
            "");
    Result r = drive("wav-chunks", List.of(c)).get(0);
    assertEquals(3, r.code(), r.err() + r.out());
    Map<String, CommitRecord> records = ItemCommits.of(out, "infer-run").readAll();
    List<String> outcomes = new ArrayList<>();
    for (String chunkFile : replaced.keySet()) {
      String id = chunkFile.replace(".wav", "");
      CommitRecord rec =
          records.values().stream()
              .filter(x -> x.item().endsWith(id))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no record for chunk " + id));
      assertTrue(!rec.succeeded(), id + " (" + replaced.get(chunkFile) + ") must fail");
      assertTrue(rec.error().contains(chunkFile), id + ": names the file: " + rec.error());
      outcomes.add("item");
    }
    summarise("wav (infer run chunks)", outcomes);
  }

  @Test
  void manifestsFedToInferRunAndOrchestrate() throws Exception {
    Path ds = chunkedDataset("manifest-ds");
    List<Case> cases = new ArrayList<>();
    List<Map<String, String>> before = new ArrayList<>();
    for (Path m : corpus("manifests")) {
      String name = m.getFileName().toString();
      Path bad = ds.resolve("bad-manifests").resolve(name);
      Files.createDirectories(bad.getParent());
      Files.copy(m, bad, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path out = work.resolve("manifest-out-" + name);
      cases.add(
          new Case(
              name,
              List.of(
                  "infer",
                  "run",
                  "--manifest",
                  bad.toString(),
                  "--dataset-root",
                  ds.toString(),
                  "--output-dir",
                  out.toString(),
                  "--stub-runner"),
              out,
              // A row's own problem may be named by the file it points at.
              List.of(name, "/etc/hostname", "does-not-exist.wav", "x.wav")));
      // orchestrate plans a dataset whose manifests directory holds the bad manifest
      Path dsm = work.resolve("orch-" + name);
      Files.createDirectories(dsm.resolve("manifests"));
      Files.copy(m, dsm.resolve("manifests").resolve(name));
      // Its chunking says completed, so the planner reads the manifest as infer run would.
      Files.writeString(
          dsm.resolve("manifests").resolve(name.replace(".csv", ".chunk_status.json")),
          "{\"status\": \"completed\"}\n");
      cases.add(
          new Case(
              name,
              List.of("infer", "orchestrate", dsm.toString()),
              dsm,
              List.of(name, "/etc/hostname", "does-not-exist.wav", "x.wav")));
    }
    for (Case c : cases) {
      before.add(tree(c.out()));
    }
    List<Result> results = drive("manifests", cases);
    List<String> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      outcomes.add(
          check("manifests", cases.get(i), results.get(i), before.get(i), "infer-run", problems));
    }
    assertEquals(List.of(), problems);
    summarise("manifests (infer run, infer orchestrate)", outcomes);
  }

  @Test
  void resumeSummariesAndTelemetry() throws Exception {
    Path ds = chunkedDataset("summary-ds");
    List<Case> cases = new ArrayList<>();
    for (Path s : corpus("summary")) {
      Path out = work.resolve("summary-out-" + s.getFileName());
      cases.add(
          new Case(
              s.getFileName().toString(),
              List.of(
                  "infer",
                  "run",
                  "--manifest",
                  ds.resolve("manifests/site1.csv").toString(),
                  "--output-dir",
                  out.toString(),
                  "--stub-runner",
                  "--resume-summary",
                  s.toString()),
              out,
              s.getFileName().toString()));
    }
    for (Path t : corpus("telemetry")) {
      Path out = work.resolve("telemetry-out-" + t.getFileName());
      cases.add(
          new Case(
              t.getFileName().toString(),
              List.of("infer", "monitor", t.toString()),
              out,
              t.getFileName().toString()));
    }
    List<Map<String, String>> before = new ArrayList<>();
    for (Case c : cases) {
      before.add(tree(c.out()));
    }
    List<Result> results = drive("summary-telemetry", cases);
    List<String> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      outcomes.add(
          check("summary", cases.get(i), results.get(i), before.get(i), "infer-run", problems));
    }
    assertEquals(List.of(), problems);
    summarise("resume summaries and telemetry", outcomes);
  }

  private static List<String> regions(Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "regions",
                "--start-region",
                "0",
                "--end-region",
                "2",
                "--segment-ms",
                "2500",
                "--segments",
                "2",
                "--iterations",
                "0:0",
                "--output-dir",
                out.toString()));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void matFilesAndTvbZipsFedToRegions() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (Path m : corpus("mat")) {
      Path out = work.resolve("mat-out-" + m.getFileName());
      String name = m.getFileName().toString();
      cases.add(new Case(name, regions(out, "--leadfield", m.toString()), out, name));
    }
    // The corpus zips hold 4 regions: a good 8 x 4 leadfield beside each, so the zip is read.
    Path leadfield = work.resolve("leadfield_8x4.mat");
    double[] gains = new double[8 * 4];
    for (int i = 0; i < gains.length; i++) {
      gains[i] = 0.1 * (i % 5 + 1);
    }
    io.beamline.io.mat.MatWriter.create()
        .withDouble("fwd", io.beamline.io.mat.MatMatrix.of(8, 4, gains))
        .write(leadfield);
    for (Path z : corpus("tvb")) {
      Path out = work.resolve("tvb-out-" + z.getFileName());
      String name = z.getFileName().toString();
      cases.add(
          new Case(
              name,
              regions(out, "--leadfield", leadfield.toString(), "--connectivity", z.toString()),
              out,
              name));
    }
    List<Case> fixed = cases;
    List<Map<String, String>> before = new ArrayList<>();
    for (Case c : fixed) {
      before.add(tree(c.out()));
    }
    List<Result> results = drive("mat-tvb", fixed);
    List<String> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < fixed.size(); i++) {
      outcomes.add(
          check("mat/tvb", fixed.get(i), results.get(i), before.get(i), "regions", problems));
    }
    assertEquals(List.of(), problems);
    summarise("MAT and TVB zip (regions)", outcomes);
  }

  @Test
  void trainingSpecsFedToConstellation() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (Path t : corpus("training")) {
      Path out = work.resolve("training-out-" + t.getFileName());
      String name = t.getFileName().toString();
      cases.add(
          new Case(
              name,
              List.of(
                  "constellation",
                  "--duration",
                  "1",
                  "--no-kafka",
                  "--subject-id",
                  "s1",
                  "--session-id",
                  "a",
                  "--output-dir",
                  out.toString(),
                  "--training-config",
                  t.toString()),
              out,
              name));
    }
    List<Map<String, String>> before = new ArrayList<>();
    for (Case c : cases) {
      before.add(tree(c.out()));
    }
    List<Result> results = drive("training", cases);
    List<String> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      outcomes.add(
          check(
              "training", cases.get(i), results.get(i), before.get(i), "constellation", problems));
    }
    assertEquals(List.of(), problems);
    summarise("training specs (constellation)", outcomes);
  }

  /** A loopback server that answers every connection the same way until closed. */
  static int server(String behaviour) throws IOException {
    ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    SERVERS.add(ss);
    Thread t =
        new Thread(
            () -> {
              while (!ss.isClosed()) {
                try {
                  Socket s = ss.accept();
                  new Thread(() -> serve(s, behaviour)).start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "bad-broker-" + behaviour);
    t.setDaemon(true);
    t.start();
    return ss.getLocalPort();
  }

  private static void serve(Socket s, String behaviour) {
    try (s) {
      switch (behaviour) {
        case "http" -> {
          InputStream in = s.getInputStream();
          in.read(new byte[1024]);
          OutputStream o = s.getOutputStream();
          o.write(
              ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\n"
                      + "\r\nbad request")
                  .getBytes(StandardCharsets.US_ASCII));
          o.flush();
          Thread.sleep(500);
        }
        case "close" -> {}
        case "silent" -> Thread.sleep(60_000);
        default -> throw new IllegalArgumentException(behaviour);
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    }
  }

  @Test
  void nonKafkaServicesOnTheBootstrapPort() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (String b : List.of("http", "close", "silent")) {
      int port = server(b);
      Path out = work.resolve("kafka-out-" + b);
      String address = "127.0.0.1:" + port;
      cases.add(
          new Case(
              b,
              List.of(
                  "constellation",
                  "--duration",
                  "2",
                  "--kafka-bootstrap",
                  address,
                  "--subject-id",
                  "s1",
                  "--session-id",
                  "a",
                  "--output-dir",
                  out.toString()),
              out,
              address));
    }
    List<Map<String, String>> before = new ArrayList<>();
    for (Case c : cases) {
      before.add(tree(c.out()));
    }
    long t0 = System.nanoTime();
    List<Result> results = drive("kafka", cases);
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<String> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      assertEquals(2, results.get(i).code(), cases.get(i).input() + ": " + results.get(i).err());
      outcomes.add(
          check("kafka", cases.get(i), results.get(i), before.get(i), "constellation", problems));
    }
    assertEquals(List.of(), problems);
    assertTrue(seconds < 90, "three refusals took " + seconds + " s");
    summarise("non-Kafka services (constellation)", outcomes);
  }

  @Test
  void sensorSampleCsvsFedToDemo() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (Path f : corpus("samples")) {
      Path out = work.resolve("samples-out-" + f.getFileName());
      String name = f.getFileName().toString();
      cases.add(
          new Case(
              name,
              List.of("demo", "--input", f.toString(), "--output-dir", out.toString()),
              out,
              name));
    }
    List<Map<String, String>> before = new ArrayList<>();
    for (Case c : cases) {
      before.add(tree(c.out()));
    }
    List<Result> results = drive("samples", cases);
    List<String> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      outcomes.add(check("samples", cases.get(i), results.get(i), before.get(i), "demo", problems));
    }
    assertEquals(List.of(), problems);
    summarise("sensor sample CSVs (demo)", outcomes);
  }
}

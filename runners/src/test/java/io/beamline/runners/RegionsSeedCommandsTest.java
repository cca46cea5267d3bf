package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.anatomy.SyntheticAnatomy;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of seed 001 (DeepSIF's {@code PIPELINE_README.md}: Basic and Advanced usage,
 * Examples 1-4, the parallel batches) pasted with {@code beamline regions} in place of {@code
 * python pipeline_orchestrator.py}, and checked for the seed's meaning: regions 0-indexed, {@code
 * --end_region} exclusive, resume by re-running, files where the seed's tree puts them.
 *
 * <p>The seed writes to {@code ../source/} and reads {@code ../anatomy/}; here each command gets
 * {@code --output-dir <tmp>/source} (the anatomy folder beside it is then found as the seed's
 * {@code ../anatomy/}) and flags that only shorten the simulation (a few simulated seconds, one
 * iteration), so the whole class runs in about a minute. Rows of {@code
 * docs/seed-compat/regions.md} name these tests.
 */
class RegionsSeedCommandsTest {
  @TempDir Path dir;

  /** Flags that only make the simulation short; the seed's own flags come first, as pasted. */
  private static final List<String> SHORT =
      List.of("--segment-ms", "2500", "--segments", "2", "--iterations", "0", "--source-a", "3.6");

  record Result(int code, String out, String err, String stdout) {}

  private Path source() {
    return dir.resolve("source");
  }

  /** Runs {@code beamline <seed command> SHORT --output-dir <tmp>/source}; captures stdout. */
  private Result beamline(String seedCommand, String... extra) {
    List<String> args = new ArrayList<>(Arrays.asList(seedCommand.trim().split("\\s+")));
    List<String> given = List.of(extra);
    for (int i = 0; i < SHORT.size(); i += 2) {
      // A flag in extra (seed spelling or ours) replaces the shortening default.
      String flag = SHORT.get(i);
      if (!given.contains(flag) && !given.contains(flag.replace('-', '_').replace("__", "--"))) {
        args.add(flag);
        args.add(SHORT.get(i + 1));
      }
    }
    args.addAll(given);
    args.addAll(List.of("--output-dir", source().toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      code =
          new Beamline(new PrintWriter(out, true), new PrintWriter(err, true))
              .execute(args.toArray(new String[0]));
    } finally {
      System.setOut(saved);
    }
    return new Result(
        code, out.toString(), err.toString(), stdout.toString(StandardCharsets.UTF_8));
  }

  /** {@code python pipeline_orchestrator.py ...} becomes {@code regions ...}. */
  private static String pasted(String seed) {
    return seed.replace("python pipeline_orchestrator.py", "regions").replace("\\\n", " ");
  }

  private JsonNode summary() throws IOException {
    return new ObjectMapper().readTree(source().resolve("regions_summary.json").toFile());
  }

  private List<Integer> committedRegions() throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      List<Integer> out = new ArrayList<>();
      for (List<Object> r :
          db.rows(
              "SELECT region FROM read_parquet("
                  + DuckDb.literal(source().resolve("region_summary") + "/*.parquet")
                  + ") WHERE status = 'succeeded' ORDER BY region")) {
        out.add((Integer) r.get(0));
      }
      return out;
    }
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @Test
  void basicUsageProcessesRegionsZeroToNineWithTheSeedsBanners() throws Exception {
    Result r = beamline(pasted("python pipeline_orchestrator.py --start_region 0 --end_region 10"));
    assertEquals(0, r.code(), r.err());
    // "This will process regions 0 through 9 (end_region is exclusive)."
    assertEquals(range(0, 10), committedRegions());
    assertEquals(range(0, 10).toString().replace(" ", ""), summary().get("succeeded").toString());
    for (int region : List.of(0, 9)) {
      assertTrue(
          Files.isRegularFile(
              source().resolve("nmm_spikes/clip_info/iter0/iter_0_i_" + region + ".mat")));
    }
    assertFalse(Files.exists(source().resolve("nmm_spikes/a10")));
    // The seed's header, per-region banners and final summary, on stdout.
    assertThat(r.stdout(), containsString("DEEPSIF DATA GENERATION PIPELINE"));
    assertThat(r.stdout(), containsString("Start Region: 0\nEnd Region: 10\nTotal Regions: 10"));
    assertThat(r.stdout(), containsString("Leadfield: synthetic (76 regions, 75 channels"));
    assertThat(r.stdout(), containsString("# Processing Region 3 (4/10)"));
    assertThat(r.stdout(), containsString("\u2713 Completed region 3 in "));
    assertThat(
        r.stdout(), containsString("# Summary: regions 0..9: 10 succeeded, 0 failed, 0 skipped"));
    // raw_nmm/ is the seed's temporary: never written unless --keep-raw.
    assertFalse(Files.exists(source().resolve("raw_nmm")));
  }

  @Test
  void reRunningTheSameCommandResumesIt() throws Exception {
    // Example 3: a single region.
    String example3 = pasted("python pipeline_orchestrator.py --start_region 5 --end_region 6");
    Result first = beamline(example3);
    assertEquals(0, first.code(), first.err());
    assertEquals(List.of(5), committedRegions());
    long clipTime =
        Files.getLastModifiedTime(source().resolve("nmm_spikes/clip_info/iter0/iter_0_i_5.mat"))
            .toMillis();
    Result again = beamline(example3);
    assertEquals(0, again.code(), again.err());
    assertThat(again.stdout(), containsString("Region 5 already processed"));
    assertThat(again.stdout(), containsString("0 succeeded, 0 failed, 1 skipped"));
    assertEquals("[5]", summary().get("skipped").toString());
    assertEquals(
        clipTime,
        Files.getLastModifiedTime(source().resolve("nmm_spikes/clip_info/iter0/iter_0_i_5.mat"))
            .toMillis());
    // A wider range later does only the regions not yet committed.
    Result wider = beamline(pasted("regions --start_region 4 --end_region 7"));
    assertEquals(0, wider.code(), wider.err());
    assertEquals("[4,6]", summary().get("succeeded").toString());
    assertEquals("[5]", summary().get("skipped").toString());
  }

  @Test
  void example2WritesToNmmCustomSpikes() throws Exception {
    Result r =
        beamline(
            pasted(
                "python pipeline_orchestrator.py \\\n    --start_region 10 \\\n    --end_region 20"
                    + " \\\n    --filename custom_spikes"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        Files.isRegularFile(source().resolve("nmm_custom_spikes/clip_info/iter0/iter_0_i_19.mat")));
    assertFalse(Files.exists(source().resolve("nmm_spikes")));
    assertEquals("nmm_custom_spikes", summary().get("spike_folder").asText());
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          List.of(List.of(10, 19, 10L)),
          db.rows(
              "SELECT min(region), max(region), count(*) FROM read_parquet("
                  + DuckDb.literal(
                      source().resolve("region_summary/nmm_custom_spikes.parquet").toString())
                  + ")"));
    }
  }

  /** Writes a synthetic anatomy as the seed's anatomy files: a leadfield MAT and a TVB zip. */
  private Path anatomyFolder(String leadfield, int channels) throws IOException {
    Path anatomy = Files.createDirectories(dir.resolve("anatomy"));
    Anatomy a = SyntheticAnatomy.generate(42, 76, channels);
    MatWriter.create().withDouble("fwd", a.leadfield()).write(anatomy.resolve(leadfield));
    try (OutputStream os = Files.newOutputStream(anatomy.resolve("connectivity_76.zip"));
        ZipOutputStream z = new ZipOutputStream(os)) {
      entry(z, "weights.txt", text(a.connectivity().weights().toArray2d()));
      entry(z, "tract_lengths.txt", text(a.connectivity().tractLengths().toArray2d()));
      double[][] c = a.connectivity().centres().toArray2d();
      StringBuilder centres = new StringBuilder();
      for (int i = 0; i < c.length; i++) {
        centres.append(
            String.format(
                Locale.ROOT,
                "%s %.17g %.17g %.17g%n",
                a.connectivity().labels().get(i),
                c[i][0],
                c[i][1],
                c[i][2]));
      }
      entry(z, "centres.txt", centres.toString());
    }
    return anatomy;
  }

  private static void entry(ZipOutputStream z, String name, String text) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(text.getBytes(StandardCharsets.UTF_8));
    z.closeEntry();
  }

  private static String text(double[][] m) {
    StringBuilder b = new StringBuilder();
    for (double[] row : m) {
      for (int j = 0; j < row.length; j++) {
        b.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.17g", row[j]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  @Test
  void advancedUsageFindsTheLeadfieldByNameInTheAnatomyFolder() throws Exception {
    Path anatomy = anatomyFolder("leadfield_75_20k.mat", 75);
    Result r =
        beamline(
            pasted(
                "python pipeline_orchestrator.py \\\n    --start_region 0 \\\n    --end_region 10"
                    + " \\\n    --filename spikes \\\n    --leadfield leadfield_75_20k.mat"));
    assertEquals(0, r.code(), r.err());
    assertThat(
        r.stdout(),
        containsString(
            "Leadfield: "
                + anatomy.resolve("leadfield_75_20k.mat")
                + " + "
                + anatomy.resolve("connectivity_76.zip")));
    assertEquals(range(0, 10), committedRegions());
  }

  @Test
  void example4UsesTheThirtyTwoChannelLeadfieldWithTheSeventySixRegionConnectivity()
      throws Exception {
    String example4 =
        pasted(
            "python pipeline_orchestrator.py \\\n    --start_region 0 \\\n    --end_region 10"
                + " \\\n    --leadfield leadfield_32_20k.mat");
    // Without the file: one line naming where it looked, exit 2, nothing written.
    Result missing = beamline(example4);
    assertEquals(2, missing.code());
    assertEquals(1, missing.err().lines().count(), missing.err());
    assertThat(missing.err(), containsString("--leadfield leadfield_32_20k.mat: no such file in "));
    assertThat(missing.err(), containsString(dir.resolve("anatomy").toString()));
    assertFalse(Files.exists(source()));

    anatomyFolder("leadfield_32_20k.mat", 32);
    Result r = beamline(example4);
    assertEquals(0, r.code(), r.err());
    assertEquals(range(0, 10), committedRegions());
    JsonNode record =
        new ObjectMapper()
            .readTree(source().resolve("commits/regions/nmm_spikes.region-0.json").toFile());
    assertEquals(32, record.get("details").get("settings").get("channels").asInt());
    assertEquals(76, record.get("details").get("settings").get("regions").asInt());
  }

  @Test
  void parallelBatchesTogetherGiveEveryRegionOnce() throws Exception {
    // "Machine 1" and "Machine 2" into one source folder, on a 100-region anatomy (the seed's has
    // 998; on the default 76-region synthetic one, --end_region 100 is refused, see below).
    String[] fast = {"--synthetic_regions", "100", "--segment_ms", "600", "--segments", "1"};
    Result one =
        beamline(pasted("python pipeline_orchestrator.py --start_region 0 --end_region 50"), fast);
    Result two =
        beamline(
            pasted("python pipeline_orchestrator.py --start_region 50 --end_region 100"), fast);
    assertEquals(0, one.code(), one.err());
    assertEquals(0, two.code(), two.err());
    assertEquals(range(0, 100), committedRegions());
    try (Stream<Path> s = Files.list(source().resolve("commits/regions"))) {
      assertEquals(100, s.count());
    }
  }

  @Test
  void anEndRegionBeyondTheAnatomyIsAUsageError() throws Exception {
    Result r =
        beamline(pasted("python pipeline_orchestrator.py --start_region 50 --end_region 100"));
    assertEquals(2, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
    assertThat(r.err(), containsString("--end-region 100 is beyond the anatomy"));
    assertThat(r.err(), containsString("76 regions"));
    assertThat(r.err(), containsString("give --end-region 76 or less"));
    assertFalse(Files.exists(source()));
    // The case: 75..79 on 76 regions used to exit 0 with 4 of 5 failed.
    assertEquals(2, beamline("regions --start-region 75 --end-region 80").code());
    assertFalse(Files.exists(source()));
  }

  @Test
  void aFailedRegionEndsThePartialRunWithItsFailureRecord() throws Exception {
    Path blocker = source().resolve("nmm_spikes/clip_info/iter0/iter_0_i_2.mat");
    Files.createDirectories(blocker);
    Files.writeString(blocker.resolve("in-the-way"), "x");
    Result r = beamline(pasted("python pipeline_orchestrator.py --start_region 0 --end_region 4"));
    assertEquals(3, r.code(), r.err());
    assertThat(r.out(), containsString("partial"));
    assertThat(r.err(), containsString("1 of 4 items failed"));
    assertThat(r.stdout(), containsString("# Summary: regions 0..3: 3 succeeded, 1 failed"));
    assertThat(r.stdout(), containsString("\u2717 region 2: cannot put the outputs of region 2"));
    assertThat(
        r.stdout(),
        containsString(
            "  failure record: " + source().resolve("commits/regions/nmm_spikes.region-2.json")));
  }

  @Test
  void theSeedsTreeWithTheSyntheticSourceTable() throws Exception {
    // The seed's step 4 writes train_sample_source1.mat directly under source/.
    Result r =
        beamline(
            pasted("python pipeline_orchestrator.py --start_region 0 --end_region 10"),
            "--synthetic-sources",
            "--sources-mode",
            "train",
            "--n_iter",
            "1",
            "--nper",
            "5");
    assertEquals(0, r.code(), r.err());
    Path table = source().resolve("train_sample_source1.mat");
    try (MatReader m = MatReader.open(table)) {
      MatMatrix selected = m.matrix("selected_region", 3);
      assertEquals(70, selected.dim(2));
    }
    Path clip = source().resolve("nmm_spikes/a0/nmm_1.mat");
    if (Files.exists(clip)) {
      assertEquals(76, MatReader.readMatrix(clip, "data").cols());
    }
    assertTrue(Files.isRegularFile(source().resolve("nmm_spikes/clip_info/iter0/iter_0_i_0.mat")));
    assertFalse(Files.exists(source().resolve("regions")));
  }
}

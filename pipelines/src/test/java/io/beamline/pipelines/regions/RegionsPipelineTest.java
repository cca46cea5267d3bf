package io.beamline.pipelines.regions;

import static io.beamline.pipelines.regions.RegionsTestData.CHANNELS;
import static io.beamline.pipelines.regions.RegionsTestData.REGIONS;
import static io.beamline.pipelines.regions.RegionsTestData.args;
import static io.beamline.pipelines.regions.RegionsTestData.files;
import static io.beamline.pipelines.regions.RegionsTestData.matContent;
import static io.beamline.pipelines.regions.RegionsTestData.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RegionsPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  /** Validates, builds and runs on the DirectRunner; returns the result. */
  private static PipelineResult run(List<String> a) {
    RegionsOptions o = options(a);
    RegionsPipeline def = new RegionsPipeline();
    def.validate(o);
    Pipeline pipeline = Pipeline.create(o);
    def.build(pipeline, o);
    PipelineResult r = pipeline.run();
    r.waitUntilFinish();
    return r;
  }

  private static long counter(PipelineResult r, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        r.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(RegionsPipeline.class, name))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static String table(Path root, String name) {
    return "read_parquet(" + DuckDb.literal(root.resolve(name) + "/*.parquet") + ")";
  }

  @Test
  public void regionsBecomeDeepSifFilesAndTables() throws Exception {
    Path out = tmp.getRoot().toPath();
    RegionsOptions o = p.getOptions().as(RegionsOptions.class);
    RegionsOptions given = options(args(out, 0, 3));
    o.setOutputDir(given.getOutputDir());
    o.setStartRegion(0);
    o.setEndRegion(3);
    o.setSyntheticRegions(REGIONS);
    o.setSyntheticChannels(CHANNELS);
    o.setSegmentMs(2500);
    o.setSegments(2);
    o.setIterations("0:1");
    o.setSourceA(3.6);
    o.setSeed(11);
    new RegionsPipeline().validate(o);
    new RegionsPipeline().build(p, o);
    p.run().waitUntilFinish();

    Path root = RegionsPipeline.outputDir(o);
    Path spikes = root.resolve("nmm_spikes");
    int total = 0;
    List<List<Object>> expectedRows = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      int previous = 0;
      for (int m = 0; m < 2; m++) {
        Path marker = spikes.resolve("clip_info/iter" + m + "/iter_" + m + "_i_" + r + ".mat");
        try (MatReader mat = MatReader.open(marker)) {
          MatMatrix num = mat.matrix("num_spike");
          MatMatrix times = mat.matrix("spike_time");
          assertArrayEquals(new int[] {1, 1}, num.shape());
          assertEquals(1, times.rows());
          int cumulative = (int) num.getFlat(0);
          assertEquals(previous + times.size(), cumulative);
          for (int j = 0; j < times.size(); j++) {
            int t = (int) times.getFlat(j);
            int k = previous + j + 1;
            expectedRows.add(List.of(r, m, k, t, "nmm_spikes/a" + r + "/nmm_" + k + ".mat"));
            // The clip is the 1 s block containing the peak: its start is 1 mod 500.
            assertTrue("spike time " + t, t >= 250);
          }
          previous = cumulative;
        }
      }
      List<String> clips = files(spikes.resolve("a" + r));
      assertEquals("clip files of region " + r, previous, clips.size());
      for (int k = 1; k <= previous; k++) {
        MatMatrix data =
            MatReader.readMatrix(spikes.resolve("a" + r + "/nmm_" + k + ".mat"), "data");
        assertArrayEquals(new int[] {500, REGIONS}, data.shape());
        for (double v : data.toArray()) {
          assertTrue(Double.isFinite(v));
        }
      }
      total += previous;
    }
    assertThat("spike clips in 3 regions x 2 iterations", total, greaterThan(3));
    assertFalse(Files.exists(root.resolve("raw_nmm")));

    try (DuckDb db = DuckDb.inMemory()) {
      String clips = table(root, "spike_clips");
      List<List<Object>> rows =
          db.rows(
              "SELECT region, iteration, clip, spike_time, file FROM "
                  + clips
                  + " ORDER BY region, clip");
      List<List<Object>> expected = new ArrayList<>();
      for (List<Object> e : expectedRows) {
        expected.add(List.of(e.get(0), e.get(1), e.get(2), e.get(3), e.get(4)));
      }
      assertEquals(expected, rows);
      assertEquals(
          0L,
          db.count(
              "SELECT * FROM "
                  + clips
                  + " WHERE clip_start <> (spike_time // 500) * 500 + 1 OR NOT alpha > 0"));
      assertEquals(
          List.of(
              List.of(0, "succeeded", (long) 0),
              List.of(1, "succeeded", 0L),
              List.of(2, "succeeded", 0L)),
          db.rows(
              "SELECT region, status, count(error) FROM "
                  + table(root, "region_summary")
                  + " GROUP BY ALL ORDER BY region"));
    }
    JsonNode json = new ObjectMapper().readTree(root.resolve("regions_summary.json").toFile());
    assertEquals("[0,1,2]", json.get("succeeded").toString());
    assertEquals(0, json.get("failed").size());
    assertEquals(0, json.get("skipped").size());
  }

  @Test
  public void secondRunSkipsFinishedRegionsAndKeepsTheirFilesAndRows() throws Exception {
    Path out = tmp.getRoot().toPath();
    PipelineResult first = run(args(out, 0, 2));
    assertEquals(2, counter(first, "regions_succeeded"));
    Path root = out;
    List<String> before = files(root.resolve("nmm_spikes"));
    List<Long> modified = new ArrayList<>();
    for (String f : before) {
      modified.add(Files.getLastModifiedTime(root.resolve("nmm_spikes").resolve(f)).toMillis());
    }
    List<List<Object>> rowsBefore;
    try (DuckDb db = DuckDb.inMemory()) {
      rowsBefore =
          db.rows("SELECT * FROM " + table(root, "spike_clips") + " ORDER BY region, clip");
    }

    PipelineResult second = run(args(out, 0, 2));
    assertEquals(0, counter(second, "regions_succeeded"));
    assertEquals(2, counter(second, "regions_skipped"));
    assertEquals(before, files(root.resolve("nmm_spikes")));
    for (int i = 0; i < before.size(); i++) {
      assertEquals(
          before.get(i),
          (long) modified.get(i),
          Files.getLastModifiedTime(root.resolve("nmm_spikes").resolve(before.get(i))).toMillis());
    }
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          rowsBefore,
          db.rows("SELECT * FROM " + table(root, "spike_clips") + " ORDER BY region, clip"));
      // The table lists every committed region once, with the run that committed it.
      assertEquals(
          List.of(List.of("succeeded", 2L, 1L)),
          db.rows(
              "SELECT status, count(*), count(DISTINCT run_id) FROM "
                  + table(root, "region_summary")
                  + " GROUP BY ALL"));
    }
    JsonNode json = new ObjectMapper().readTree(root.resolve("regions_summary.json").toFile());
    assertEquals("[0,1]", json.get("skipped").toString());
    assertEquals("[]", json.get("succeeded").toString());

    // A missing marker makes the region run again (and only that region).
    Files.delete(root.resolve("nmm_spikes/clip_info/iter1/iter_1_i_1.mat"));
    PipelineResult third = run(args(out, 0, 2));
    assertEquals(1, counter(third, "regions_succeeded"));
    assertEquals(1, counter(third, "regions_skipped"));
    assertEquals(before, files(root.resolve("nmm_spikes")));
  }

  /**
   * Blocks region {@code region}'s first clip_info marker with a non-empty directory: the region's
   * outputs cannot be put in place, as on a disk where something else occupies the path.
   */
  static void blockMarker(Path out, int region) throws java.io.IOException {
    Path blocker = out.resolve("nmm_spikes/clip_info/iter0/iter_0_i_" + region + ".mat");
    Files.createDirectories(blocker);
    Files.writeString(blocker.resolve("in-the-way"), "x");
  }

  @Test
  public void aFailingRegionGetsAFailureRecordAndTheRunEndsPartial() throws Exception {
    Path out = tmp.getRoot().toPath();
    blockMarker(out, 5);
    List<String> a = args(out, 3, 6);
    RunRecord run = Runs.run(new RegionsPipeline(), options(a), a);
    assertEquals("partial", run.status());
    assertEquals(2, run.items().succeeded());
    assertEquals(1, run.items().failed());
    Path root = out;
    assertTrue(Files.isRegularFile(root.resolve("nmm_spikes/clip_info/iter1/iter_1_i_4.mat")));
    // The failure record: status failed, one-line error naming the path and the fix.
    JsonNode record =
        new ObjectMapper()
            .readTree(root.resolve("commits/regions/nmm_spikes.region-5.json").toFile());
    assertEquals("failed", record.get("status").asText());
    assertEquals(run.runId(), record.get("run_id").asText());
    String error = record.get("error").asText();
    assertThat(error, containsString("iter_0_i_5.mat"));
    assertThat(error, containsString("move aside what occupies that path"));
    assertFalse(error.contains("\n"));
    // Nothing staged is left behind.
    try (java.util.stream.Stream<Path> s = Files.walk(root.resolve("nmm_spikes"))) {
      assertEquals(
          List.of(),
          s.filter(f -> io.beamline.io.files.AtomicFiles.isTemporary(f.getFileName().toString()))
              .toList());
    }
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          List.of(
              List.of(3, "succeeded", true),
              List.of(4, "succeeded", true),
              List.of(5, "failed", true)),
          db.rows(
              "SELECT region, status, (error IS NULL) = (status = 'succeeded') FROM "
                  + table(root, "region_summary")
                  + " ORDER BY region"));
      assertEquals(
          0L, db.count("SELECT * FROM " + table(root, "spike_clips") + " WHERE region = 5"));
    }
    JsonNode json = new ObjectMapper().readTree(root.resolve("regions_summary.json").toFile());
    assertEquals("[3,4]", json.get("succeeded").toString());
    assertEquals(5, json.get("failed").get(0).get("region").asInt());
    assertEquals(
        "commits/regions/nmm_spikes.region-5.json",
        json.get("failed").get(0).get("record").asText());

    // The final summary: counts, one line per region with its time, then each failure with its
    // record.
    String[] lines = RegionsConsole.summaryText(root.resolve("regions_summary.json")).split("\n");
    assertEquals(
        "# Summary: regions 3..5: 2 succeeded, 1 failed, 0 skipped", lines[1].split(" \\(")[0]);
    assertTrue(lines[3], lines[3].matches("region\\s+label\\s+status\\s+spikes\\s+seconds"));
    for (int i = 0; i < 3; i++) {
      String[] cells = lines[4 + i].strip().split("\\s+");
      assertEquals(String.valueOf(3 + i), cells[0]);
      assertEquals(i < 2 ? "succeeded" : "failed", cells[2]);
      assertEquals(json.get("regions").get(i).get("spikes").asText(), cells[3]);
      assertEquals(
          json.get("regions").get(i).get("seconds").asDouble(),
          Double.parseDouble(cells[4]),
          0.006);
    }
    assertEquals("\u2717 region 5: " + error, lines[7]);
    assertEquals(
        "  failure record: " + root.resolve("commits/regions/nmm_spikes.region-5.json"), lines[8]);
    assertEquals("summary: " + root.resolve("regions_summary.json"), lines[9]);

    // Once the path is free, re-running the same command redoes only the failed region.
    io.beamline.io.files.AtomicFiles.deleteTree(
        root.resolve("nmm_spikes/clip_info/iter0/iter_0_i_5.mat"));
    RunRecord again = Runs.run(new RegionsPipeline(), options(a), a);
    assertEquals("succeeded", again.status());
    assertEquals(1, again.items().succeeded());
    json = new ObjectMapper().readTree(root.resolve("regions_summary.json").toFile());
    assertEquals("[5]", json.get("succeeded").toString());
    assertEquals("[3,4]", json.get("skipped").toString());
  }

  @Test
  public void eachRegionStepReportsOneStatusLine() throws Exception {
    Path out = tmp.getRoot().toPath();
    RegionsOptions o = options(args(out, 2, 4));
    RegionSettings settings = RegionsConfigs.settings(o);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err =
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
    RegionProgress status = new RegionProgress(err, "test-run", 2, 2);
    RegionWork work = new RegionWork(settings, null, status);
    RegionWork.Result result = work.process(3, RegionWork.Outputs.inPlace(work, 3));
    status.finished(3, "succeeded", 1.5, null);
    String[] lines = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length);
    for (int i = 0; i < 2; i++) {
      assertEquals(
          "region 3 (2/2) iteration "
              + i
              + ": simulate 5 s ... spikes "
              + result.spikesPerIteration()[i]
              + " ... clips written",
          lines[i].replaceAll(" \\(\\d+\\.\\d\\d s\\)$", ""));
    }
    assertEquals(
        "region 3 (2/2) succeeded in 1.50 s [##########----------] 1/2 regions done", lines[2]);
  }

  @Test
  public void batchesGiveTheSameFilesAsOneRun() throws Exception {
    Path whole = tmp.newFolder("whole").toPath();
    Path split = tmp.newFolder("split").toPath();
    run(args(whole, 0, 4));
    run(args(split, 0, 1));
    run(args(split, 1, 4));
    Path a = whole.resolve("nmm_spikes");
    Path b = split.resolve("nmm_spikes");
    List<String> names = files(a);
    assertThat(names.size(), greaterThan(8));
    assertEquals(names, files(b));
    for (String f : names) {
      assertEquals(f, matContent(a.resolve(f)), matContent(b.resolve(f)));
    }
    try (DuckDb db = DuckDb.inMemory()) {
      String x = table(whole, "spike_clips");
      String y = table(split, "spike_clips");
      assertEquals(db.count("SELECT * FROM " + x), db.count("SELECT * FROM " + y));
      assertEquals(0, db.count("SELECT * FROM " + x + " EXCEPT ALL SELECT * FROM " + y));
      assertEquals(0, db.count("SELECT * FROM " + y + " EXCEPT ALL SELECT * FROM " + x));
    }
  }

  @Test
  public void anatomyFilesAreReadAndKeepRawWritesTraces() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Anatomy anatomy = RegionsTestData.anatomy();
    Path zip =
        RegionsTestData.writeTvbZip(anatomy, tmp.getRoot().toPath().resolve("conn.zip"), null);
    Path lf = RegionsTestData.writeLeadfield(anatomy, tmp.getRoot().toPath().resolve("lf.mat"));
    run(
        args(
            out,
            2,
            3,
            "--connectivity=" + zip,
            "--leadfield=" + lf,
            "--iterations=1",
            "--keepRaw=true"));
    Path root = out;
    // The same anatomy as files gives the same clips as the synthetic one it was written from.
    Path synthetic = tmp.newFolder("synthetic").toPath();
    run(args(synthetic, 2, 3, "--iterations=1"));
    List<String> names = files(root.resolve("nmm_spikes"));
    assertEquals(files(synthetic.resolve("nmm_spikes")), names);
    for (String f : names) {
      assertEquals(
          f,
          matContent(synthetic.resolve("nmm_spikes").resolve(f)),
          matContent(root.resolve("nmm_spikes").resolve(f)));
    }
    assertEquals(
        List.of("a2/mean_iter_1_a_iter_2_0.mat", "a2/mean_iter_1_a_iter_2_1.mat"),
        files(root.resolve("raw_nmm")));
    try (MatReader raw = MatReader.open(root.resolve("raw_nmm/a2/mean_iter_1_a_iter_2_1.mat"))) {
      assertArrayEquals(new int[] {5000, REGIONS}, raw.matrix("data").shape());
      assertArrayEquals(new int[] {1, 5000}, raw.matrix("time").shape());
      assertEquals(5000.0, raw.matrix("time").getFlat(4999), 0.0);
      assertEquals(3.6, raw.matrix("A").getFlat(2), 0.0);
      assertEquals(3.25, raw.matrix("A").getFlat(0), 0.0);
    }
  }

  private static UserInputException invalid(Path out, String... extra) {
    RegionsOptions o = options(args(out, 0, 2, extra));
    return assertThrows(UserInputException.class, () -> new RegionsPipeline().validate(o));
  }

  @Test
  public void badAnatomyFilesAreReportedBeforeAnythingRuns() throws Exception {
    Path dir = tmp.getRoot().toPath();
    Path out = dir.resolve("out");
    Anatomy anatomy = RegionsTestData.anatomy();
    Path zip = RegionsTestData.writeTvbZip(anatomy, dir.resolve("conn.zip"), null);
    Path lf = RegionsTestData.writeLeadfield(anatomy, dir.resolve("lf.mat"));

    // Truncated leadfield: the message names the file.
    byte[] bytes = Files.readAllBytes(lf);
    Path truncated = dir.resolve("truncated.mat");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    UserInputException e = invalid(out, "--connectivity=" + zip, "--leadfield=" + truncated);
    assertThat(e.getMessage(), containsString("truncated.mat"));
    assertFalse(e.getMessage().contains("\n"));

    // Wrong shape: both shapes are named.
    Path wide = dir.resolve("wide.mat");
    MatWriter.create().withDouble("fwd", MatMatrix.zeros(CHANNELS, REGIONS + 1)).write(wide);
    e = invalid(out, "--connectivity=" + zip, "--leadfield=" + wide);
    assertThat(e.getMessage(), containsString(CHANNELS + " x " + (REGIONS + 1)));
    assertThat(e.getMessage(), containsString(REGIONS + " regions"));

    // Missing zip entry: the entry is named.
    Path noTracts =
        RegionsTestData.writeTvbZip(anatomy, dir.resolve("bad.zip"), "tract_lengths.txt");
    e = invalid(out, "--connectivity=" + noTracts, "--leadfield=" + lf);
    assertThat(e.getMessage(), containsString("tract_lengths.txt"));
    assertThat(e.getMessage(), containsString("bad.zip"));

    // Only one of the pair, missing files and bad ranges.
    // A leadfield alone takes connectivity_<regions>.zip from its folder; here there is none.
    assertThat(
        invalid(out, "--leadfield=" + lf).getMessage(),
        containsString("no connectivity_" + REGIONS + ".zip is in " + dir));
    assertThat(
        invalid(out, "--connectivity=" + dir.resolve("nope.zip"), "--leadfield=" + lf).getMessage(),
        containsString("nope.zip"));
    assertThat(invalid(out, "--iterations=0,3").getMessage(), containsString("--iterations"));
    RegionsOptions backwards = options(args(out, 3, 3));
    assertThat(
        assertThrows(UserInputException.class, () -> new RegionsPipeline().validate(backwards))
            .getMessage(),
        containsString("--end-region"));
    assertFalse(Files.exists(out));
  }

  @Test
  public void iterationListsAcceptRangesAndLists() {
    assertArrayEquals(new int[] {0, 1, 2}, RegionsConfigs.iterations("0:2"));
    assertArrayEquals(new int[] {2, 0}, RegionsConfigs.iterations("2, 0"));
    assertThrows(UserInputException.class, () -> RegionsConfigs.iterations("1,1"));
    assertThrows(UserInputException.class, () -> RegionsConfigs.iterations("a"));
  }

  @Test
  public void syntheticSourcesDescribeDeepSifSamples() throws Exception {
    Path out = tmp.getRoot().toPath();
    run(args(out, 0, 3));
    // A later batch finishes the anatomy and builds the sources over all regions on disk.
    PipelineResult r = run(args(out, 3, REGIONS, "--syntheticSources=true"));
    assertEquals(3, counter(r, "regions_succeeded"));
    Path root = out;
    int[] clips = new int[REGIONS];
    int eligible = 0;
    for (int region = 0; region < REGIONS; region++) {
      clips[region] =
          (int)
              MatReader.readMatrix(
                      root.resolve("nmm_spikes/clip_info/iter1/iter_1_i_" + region + ".mat"),
                      "num_spike")
                  .getFlat(0);
      eligible += clips[region] > 0 ? 1 : 0;
    }
    assertThat(eligible, greaterThan(3));
    int rows = eligible * 3 * 4; // test preset: 3 variations x 4 SNR levels per centre
    try (MatReader mat = MatReader.open(root.resolve("test_sample_source1.mat"))) {
      assertEquals(
          List.of(
              "selected_region",
              "nmm_idx",
              "random_samples",
              "current_snr",
              "scale_ratio",
              "mag_change"),
          mat.variables());
      MatMatrix selected = mat.matrix("selected_region", 3);
      MatMatrix magnitude = mat.matrix("mag_change", 3);
      MatMatrix scale = mat.matrix("scale_ratio", 3);
      MatMatrix snr = mat.matrix("current_snr");
      MatMatrix picks = mat.matrix("random_samples");
      MatMatrix idx = mat.matrix("nmm_idx");
      assertArrayEquals(new int[] {rows, 2, 70}, selected.shape());
      assertArrayEquals(new int[] {rows, 2, 70}, magnitude.shape());
      assertArrayEquals(new int[] {rows, 2, 2}, scale.shape());
      assertArrayEquals(new int[] {rows, 1}, snr.shape());
      assertArrayEquals(new int[] {rows, 2}, picks.shape());
      for (int i = 0; i < rows; i++) {
        assertEquals(5.0 * (i % 4 + 1), snr.get(i, 0), 0.0);
        for (int k = 0; k < 2; k++) {
          int centre = (int) selected.get(i, k, 0);
          assertTrue("centre " + centre, clips[centre] > 0);
          assertTrue(picks.get(i, k) >= 0 && picks.get(i, k) < Math.min(10, clips[centre]));
          assertEquals((centre + 1) * 10 + picks.get(i, k) + 1, idx.get(i, k), 0.0);
          assertEquals(1.0, magnitude.get(i, k, 0), 0.0);
          int size = 1;
          for (int j = 1; j < 70; j++) {
            size += selected.get(i, k, j) == 15213 ? 0 : 1;
          }
          // A patch of every region leaves no background (noise power 0, factor 0): only in tiny
          // anatomies like this 6-region one.
          if (size < REGIONS) {
            assertTrue(scale.get(i, k, 1) > scale.get(i, k, 0) && scale.get(i, k, 0) > 0);
          } else {
            assertEquals(0.0, scale.get(i, k, 0), 0.0);
          }
          for (int j = 1; j < 70; j++) {
            double v = selected.get(i, k, j);
            assertTrue(v == 15213 || (v >= 0 && v < REGIONS));
            assertEquals(v == 15213, magnitude.get(i, k, j) == 15213);
          }
        }
      }
      // The first source cycles through the centres: every eligible region is one.
      java.util.Set<Integer> centres = new java.util.TreeSet<>();
      for (int i = 0; i < rows; i++) {
        centres.add((int) selected.get(i, 0, 0));
      }
      assertEquals(eligible, centres.size());
    }
    try (DuckDb db = DuckDb.inMemory()) {
      String t = table(root, "synthetic_sources");
      assertEquals(2L * rows, db.count("SELECT * FROM " + t));
      assertEquals(
          0L,
          db.count(
              "SELECT * FROM "
                  + t
                  + " WHERE regions[1] <> centre OR len(regions) <> len(mag_change)"
                  + " OR len(scale_ratio) <> 2"));
    }
  }

  @Test
  public void mixedEegPutsTheTablesSourcesAtTheirSensorSnr() throws Exception {
    Path out = tmp.getRoot().toPath();
    // 12 regions with 2 neighbours each: patches smaller than the anatomy, so the scale factors
    // are not 0 (a patch of every region leaves no background to scale against).
    int regions = 12;
    List<String> a =
        args(
            out,
            0,
            regions,
            "--syntheticRegions=12",
            "--patchNeighbours=2",
            "--iterations=0",
            "--mixEeg=true",
            "--eegSamplesPerFile=10",
            "--nData=2",
            "--nIter=2",
            "--nper=3");
    PipelineResult r = run(a);
    Path root = out;
    MatMatrix table = MatReader.readMatrix(root.resolve("test_sample_source1.mat"), "current_snr");
    int rows = table.rows();
    MatMatrix picks =
        MatReader.readMatrix(root.resolve("test_sample_source1.mat"), "random_samples");
    MatMatrix tableSelected =
        MatReader.readMatrix(root.resolve("test_sample_source1.mat"), "selected_region");
    MatMatrix tableScale =
        MatReader.readMatrix(root.resolve("test_sample_source1.mat"), "scale_ratio");
    MatMatrix tableMag =
        MatReader.readMatrix(root.resolve("test_sample_source1.mat"), "mag_change");
    // --nIter 2 variations x 4 SNR levels per eligible centre; --nper 3 clips to draw from.
    assertEquals(0, rows % 8);
    for (int i = 0; i < rows; i++) {
      assertTrue(picks.get(i, 0) < 3 && picks.get(i, 1) < 3);
    }
    Path eegDir = root.resolve("test_sample_source1_eeg");
    int parts = (rows + 9) / 10;
    List<String> expected = new ArrayList<>();
    for (int k = 0; k < parts; k++) {
      expected.add("eeg_" + k + ".mat");
    }
    expected.sort(null);
    assertEquals(expected, files(eegDir));
    assertEquals(2L * rows, counter(r, "eeg_samples"));
    assertEquals(parts, counter(r, "eeg_files"));

    double[][] leadfield =
        io.beamline.io.anatomy.SyntheticAnatomy.generate(11, regions, CHANNELS)
            .leadfield()
            .toArray2d();
    int seen = 0;
    int audible = 0;
    for (int k = 0; k < parts; k++) {
      try (MatReader mat = MatReader.open(eegDir.resolve("eeg_" + k + ".mat"))) {
        assertEquals(
            List.of(
                "eeg_data",
                "current_snr",
                "achieved_snr",
                "sample_index",
                "realisation",
                "scale_index",
                "selected_region"),
            mat.variables());
        MatMatrix eeg = mat.matrix("eeg_data", 3);
        int n = eeg.dim(0);
        assertArrayEquals(new int[] {n, CHANNELS, 500}, eeg.shape());
        MatMatrix snr = mat.matrix("current_snr");
        MatMatrix achieved = mat.matrix("achieved_snr");
        MatMatrix sample = mat.matrix("sample_index");
        MatMatrix level = mat.matrix("scale_index");
        MatMatrix selected = mat.matrix("selected_region", 3);
        for (int i = 0; i < n; i++) {
          int row = (int) sample.get(i, 0);
          assertEquals(k, row / 10);
          assertEquals(table.get(row, 0), snr.get(i, 0), 0.0);
          for (int s = 0; s < 2; s++) {
            for (int j = 0; j < 70; j++) {
              assertEquals(tableSelected.get(row, s, j), selected.get(i, s, j), 0.0);
            }
          }
          // Rebuild the clean projection from the table and the clip files: the residual is the
          // noise, at the row's SNR.
          double[][] activity = new double[500][regions];
          for (int s = 0; s < 2; s++) {
            int centre = (int) tableSelected.get(row, s, 0);
            double[][] clip =
                MatReader.readMatrix(
                        root.resolve(
                            "nmm_spikes/a"
                                + centre
                                + "/nmm_"
                                + (int) (picks.get(row, s) + 1)
                                + ".mat"),
                        "data")
                    .toArray2d();
            double peak = Double.NEGATIVE_INFINITY;
            for (double[] c : clip) {
              peak = Math.max(peak, c[centre]);
            }
            double scale = tableScale.get(row, s, (int) level.get(i, s));
            boolean[] inPatch = new boolean[regions];
            for (int j = 0; j < 70 && tableSelected.get(row, s, j) != 15213; j++) {
              inPatch[(int) tableSelected.get(row, s, j)] = true;
            }
            for (int t = 0; t < 500; t++) {
              for (int g = 0; g < regions; g++) {
                activity[t][g] += inPatch[g] ? 0 : clip[t][g];
              }
              for (int j = 0; j < 70 && tableSelected.get(row, s, j) != 15213; j++) {
                activity[t][(int) tableSelected.get(row, s, j)] +=
                    clip[t][centre] / peak * scale * tableMag.get(row, s, j);
              }
            }
          }
          double sig = 0;
          double noise = 0;
          for (int c = 0; c < CHANNELS; c++) {
            for (int t = 0; t < 500; t++) {
              double clean = 0;
              for (int g = 0; g < regions; g++) {
                clean += leadfield[c][g] * activity[t][g];
              }
              double d = eeg.get(i, c, t) - clean;
              sig += clean * clean;
              noise += d * d;
            }
          }
          seen++;
          if (sig == 0) {
            // Both patches cover this tiny anatomy and their scale factors are 0 (see
            // syntheticSourcesDescribeDeepSifSamples): a silent sample gets no noise.
            assertEquals(0.0, noise, 0.0);
            assertEquals(Double.POSITIVE_INFINITY, achieved.get(i, 0), 0.0);
            continue;
          }
          assertEquals(snr.get(i, 0), achieved.get(i, 0), 0.5);
          assertEquals(snr.get(i, 0), 10 * Math.log10(sig / noise), 0.5);
          audible++;
        }
      }
    }
    assertEquals(2 * rows, seen);
    assertThat(audible, greaterThan(rows));

    try (DuckDb db = DuckDb.inMemory()) {
      String t = table(root, "sensor_eeg/test");
      assertEquals(2L * rows, db.count("SELECT * FROM " + t));
      assertEquals(
          0L,
          db.count(
              "SELECT * FROM "
                  + t
                  + " WHERE len(eeg) <> channels * times OR channels <> "
                  + CHANNELS
                  + " OR (NOT isinf(achieved_snr) AND abs(achieved_snr - current_snr) > 0.5) OR part <> sample // 10"));
      assertEquals(2L * rows, db.count("SELECT DISTINCT sample, realisation FROM " + t));
      // Same seed, other partitioning: the same samples, bit for bit.
      db.execute("CREATE TABLE first AS SELECT sample, realisation, scale_index, eeg FROM " + t);
      run(
          args(
              out,
              0,
              regions,
              "--syntheticRegions=12",
              "--patchNeighbours=2",
              "--iterations=0",
              "--mixEeg=true",
              "--eegSamplesPerFile=7",
              "--nData=2",
              "--nIter=2",
              "--nper=3"));
      String again = "(SELECT sample, realisation, scale_index, eeg FROM " + t + ")";
      assertEquals(0L, db.count("SELECT * FROM first EXCEPT ALL SELECT * FROM " + again));
      assertEquals(0L, db.count("SELECT * FROM " + again + " EXCEPT ALL SELECT * FROM first"));
    }
  }

  @Test
  public void badMixingFlagsAreReportedBeforeAnythingRuns() {
    Path out = tmp.getRoot().toPath();
    for (String bad :
        new String[] {"--nper=0", "--nIter=0", "--nData=0", "--eegSamplesPerFile=0"}) {
      UserInputException e =
          assertThrows(
              UserInputException.class,
              () -> new RegionsPipeline().validate(options(args(out, 0, 1, bad))));
      assertThat(e.getMessage(), containsString("must be >= 1, got 0"));
    }
  }
}

package io.beamline.pipelines.regions;

import static io.beamline.pipelines.regions.RegionsTestData.args;
import static io.beamline.pipelines.regions.RegionsTestData.files;
import static io.beamline.pipelines.regions.RegionsTestData.matContent;
import static io.beamline.pipelines.regions.RegionsTestData.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regions pipeline on the commit protocol: what is skipped, redone and replaced, judged from
 * the files and records on disk.
 */
class RegionsCommitTest {
  @TempDir Path dir;

  /** Runs through the run framework (validation, record, tally), as the command line does. */
  private static RunRecord run(List<String> a) {
    return Runs.run(new RegionsPipeline(), options(a), a);
  }

  private static JsonNode json(Path file) throws Exception {
    return new ObjectMapper().readTree(file.toFile());
  }

  private static int numSpike(Path out, int iteration, int region) throws Exception {
    return (int)
        MatReader.readMatrix(
                out.resolve(
                    "nmm_spikes/clip_info/iter"
                        + iteration
                        + "/iter_"
                        + iteration
                        + "_i_"
                        + region
                        + ".mat"),
                "num_spike")
            .getFlat(0);
  }

  @Test
  void aRecordMadeWithOtherSettingsIsNotReusedAndTheOldClipsDisappear() throws Exception {
    Path out = dir.resolve("out");
    RunRecord first = run(args(out, 2, 3, "--iterations=0:1"));
    assertEquals("succeeded", first.status());
    int before = numSpike(out, 1, 2);
    int iteration0 = numSpike(out, 0, 2);
    assertThat("clips of iteration 1 too", iteration0, lessThan(before));
    JsonNode record = json(out.resolve("commits/regions/nmm_spikes.region-2.json"));
    String fingerprint = record.get("details").get("fingerprint").asText();

    // Same region, other settings (one iteration): its clip_info of iteration 0 exists, but the
    // record was made with other settings, so the region is done again and replaced whole.
    RunRecord second = run(args(out, 2, 3, "--iterations=0"));
    assertEquals("succeeded", second.status());
    assertEquals(1, second.items().succeeded());
    JsonNode again = json(out.resolve("commits/regions/nmm_spikes.region-2.json"));
    assertEquals(second.runId(), again.get("run_id").asText());
    assertNotEquals(fingerprint, again.get("details").get("fingerprint").asText());
    int after = numSpike(out, 0, 2);
    List<String> expected = new ArrayList<>();
    for (int k = 1; k <= after; k++) {
      expected.add("nmm_" + k + ".mat");
    }
    expected.sort(null);
    assertEquals(expected, files(out.resolve("nmm_spikes/a2")));
    assertFalse(Files.exists(out.resolve("nmm_spikes/clip_info/iter1/iter_1_i_2.mat")));
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          List.of(List.of(0, (long) after)),
          db.rows(
              "SELECT iteration, count(*) FROM read_parquet("
                  + DuckDb.literal(out.resolve("spike_clips") + "/*.parquet")
                  + ") GROUP BY ALL"));
    }
  }

  @Test
  void clipInfoWithoutARecordIsNotTakenAsDone() throws Exception {
    Path out = dir.resolve("out");
    run(args(out, 1, 2));
    Map<String, MatMatrix> marker =
        matContent(out.resolve("nmm_spikes/clip_info/iter0/iter_0_i_1.mat"));
    // A run killed after moving the outputs into place but before writing the record.
    Files.delete(out.resolve("commits/regions/nmm_spikes.region-1.json"));
    RunRecord again = run(args(out, 1, 2));
    assertEquals(1, again.items().succeeded());
    assertEquals(
        again.runId(),
        json(out.resolve("commits/regions/nmm_spikes.region-1.json")).get("run_id").asText());
    assertEquals(marker, matContent(out.resolve("nmm_spikes/clip_info/iter0/iter_0_i_1.mat")));
    // A region whose record verifies is skipped, and says so.
    RunRecord third = run(args(out, 1, 2));
    assertEquals(0, third.items().succeeded() + third.items().failed());
    assertEquals("[1]", json(out.resolve("regions_summary.json")).get("skipped").toString());
  }

  private static long counter(RunRecord r, String name) throws Exception {
    JsonNode m = json(r.runDir().resolve("metrics.json"));
    long sum = 0;
    for (JsonNode c : m.get("counters")) {
      if (c.get("name").asText().equals(name)) {
        sum += c.get("attempted").asLong();
      }
    }
    return sum;
  }

  private static List<String> mixArgs(Path out, int perFile) {
    return args(
        out,
        0,
        12,
        "--syntheticRegions=12",
        "--patchNeighbours=2",
        "--iterations=0",
        "--mixEeg=true",
        "--eegSamplesPerFile=" + perFile,
        "--nIter=2",
        "--nper=3");
  }

  private static Map<String, Long> modified(Path folder) throws Exception {
    Map<String, Long> m = new TreeMap<>();
    for (String f : files(folder)) {
      m.put(f, Files.getLastModifiedTime(folder.resolve(f)).toMillis());
    }
    return m;
  }

  @Test
  void mixedEegIsOneItemSkippedWhenCommittedAndReplacedWhole() throws Exception {
    Path out = dir.resolve("out");
    RunRecord first = run(mixArgs(out, 5));
    assertEquals("succeeded", first.status(), first.error());
    Path eeg = out.resolve("test_sample_source1_eeg");
    List<String> parts = files(eeg);
    assertThat(parts.size(), greaterThan(2));
    assertEquals(parts.size(), files(out.resolve("sensor_eeg/test")).size());
    Map<String, Long> eegTimes = modified(eeg);
    long tableTime = Files.getLastModifiedTime(out.resolve("test_sample_source1.mat")).toMillis();
    Map<String, MatMatrix> part0 = matContent(eeg.resolve("eeg_0.mat"));

    // The same command again: regions, sources and EEG are committed with the same inputs.
    RunRecord second = run(mixArgs(out, 5));
    assertEquals(0, second.items().succeeded() + second.items().failed());
    assertEquals(0, counter(second, "eeg_samples"));
    assertEquals(eegTimes, modified(eeg));
    assertEquals(
        tableTime, Files.getLastModifiedTime(out.resolve("test_sample_source1.mat")).toMillis());

    // A run killed after mixing but before the EEG record: the next run mixes again, the same.
    Files.delete(out.resolve("commits/regions/test_sample_source1_eeg.json"));
    RunRecord third = run(mixArgs(out, 5));
    assertEquals(List.of("test_sample_source1_eeg"), names(out, third));
    assertThat(counter(third, "eeg_samples"), greaterThan(0L));
    assertEquals(parts, files(eeg));
    assertEquals(part0, matContent(eeg.resolve("eeg_0.mat")));

    // Fewer, larger parts: the folders are replaced whole, no older eeg_<k>.mat stays.
    RunRecord fourth = run(mixArgs(out, 1000));
    assertEquals("succeeded", fourth.status());
    assertEquals(List.of("eeg_0.mat"), files(eeg));
    assertEquals(List.of("part-0.parquet"), files(out.resolve("sensor_eeg/test")));
    JsonNode record = json(out.resolve("commits/regions/test_sample_source1_eeg.json"));
    assertEquals(1, record.get("details").get("parts").asInt());
    try (MatReader r = MatReader.open(eeg.resolve("eeg_0.mat"))) {
      assertEquals(record.get("details").get("samples").asInt(), r.matrix("eeg_data", 3).dim(0));
    }
    try (java.util.stream.Stream<Path> s = Files.walk(out)) {
      assertEquals(
          List.of(),
          s.filter(f -> io.beamline.io.files.AtomicFiles.isTemporary(f.getFileName().toString()))
              .toList());
    }
  }

  /** The items run {@code r} committed or failed. */
  private static List<String> names(Path out, RunRecord r) {
    io.beamline.framework.run.ItemCommits.Tally t =
        io.beamline.framework.run.ItemCommits.of(out, "regions").tally(r.runId());
    List<String> all = new ArrayList<>(t.succeeded());
    t.failed().forEach(f -> all.add(f.item()));
    return all;
  }

  @Test
  void syntheticSourcesWithoutClipsGetAFailureRecord() throws Exception {
    Path out = dir.resolve("out");
    // So little simulated time that no region spikes: the table cannot be built.
    RunRecord r =
        run(
            args(
                out,
                0,
                2,
                "--segmentMs=600",
                "--segments=1",
                "--iterations=0",
                "--syntheticSources=true"));
    assertEquals("partial", r.status());
    JsonNode record = json(out.resolve("commits/regions/test_sample_source1.json"));
    assertEquals("failed", record.get("status").asText());
    assertTrue(record.get("error").asText().contains("no region has spike clips"));
    assertFalse(Files.exists(out.resolve("test_sample_source1.mat")));
  }

  @Test
  void aNetworkThatBlowsUpFailsItsRegionNamingTheWeights() throws Exception {
    Path out = dir.resolve("out");
    io.beamline.io.anatomy.Anatomy a = RegionsTestData.anatomy();
    double[][] w = a.connectivity().weights().toArray2d();
    for (double[] row : w) {
      for (int j = 0; j < row.length; j++) {
        row[j] = row[j] == 0 ? 0 : 1e300;
      }
    }
    io.beamline.io.anatomy.Anatomy huge =
        io.beamline.io.anatomy.Anatomy.of(
            io.beamline.io.anatomy.Connectivity.of(
                a.connectivity().labels(),
                a.connectivity().centres(),
                MatMatrix.fromArray2d(w),
                a.connectivity().tractLengths()),
            a.leadfield());
    Path zip = RegionsTestData.writeTvbZip(huge, dir.resolve("huge.zip"), null);
    Path lf = RegionsTestData.writeLeadfield(huge, dir.resolve("lf.mat"));
    RunRecord r =
        run(args(out, 0, 1, "--connectivity=" + zip, "--leadfield=" + lf, "--iterations=0"));
    assertEquals("partial", r.status());
    String error = r.items().firstError();
    assertTrue(error.contains("diverged") && error.contains("weights"), error);
    assertFalse(Files.exists(out.resolve("nmm_spikes/a0")));
  }
}

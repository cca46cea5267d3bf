package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.runners.BeamlineCliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume keyed by each item's config hash, and {@code beamline plan <command> --dry-run}: which
 * items a run would do or skip, and why.
 */
class DryRunTest {
  @TempDir Path dir;

  /**
   * A small regions run: 4 regions of the synthetic anatomy, simulated long enough for spikes (as
   * RegionsSeedCommandsTest shortens the seed's runs), and the synthetic source table.
   */
  private String[] regions(String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "regions",
                "--start-region",
                "0",
                "--end-region",
                "4",
                "--segment-ms",
                "2500",
                "--segments",
                "2",
                "--iterations",
                "0",
                "--source-a",
                "3.6",
                "--synthetic-sources",
                "--sources-mode",
                "test",
                "--nper",
                "2",
                "--output-dir",
                dir.toString()));
    // Flag-value pairs; one the defaults have replaces its value.
    for (int i = 0; i < more.length; i += 2) {
      int at = a.indexOf(more[i]);
      if (at >= 0) {
        a.set(at + 1, more[i + 1]);
      } else {
        a.addAll(List.of(more[i], more[i + 1]));
      }
    }
    return a.toArray(new String[0]);
  }

  private static String[] plan(String[] run) {
    String[] a = new String[run.length + 2];
    a[0] = "plan";
    System.arraycopy(run, 0, a, 1, run.length);
    a[a.length - 1] = "--dry-run";
    return a;
  }

  /** The run id of every item's commit record. */
  private Map<String, String> committedBy() {
    Map<String, String> out = new TreeMap<>();
    ItemCommits.of(dir, "regions").readAll().forEach((k, r) -> out.put(k, r.runId()));
    return out;
  }

  /** Every file under the output directory with its size and modification time. */
  private Map<String, String> tree() throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        out.put(
            dir.relativize(p).toString(),
            Files.isDirectory(p) ? "dir" : Files.size(p) + "@" + Files.getLastModifiedTime(p));
      }
    }
    return out;
  }

  @Test
  void aChangedParameterRerunsExactlyTheItemsItAffectsAndTheDryRunSaysWhy() throws Exception {
    Result first = BeamlineCliTest.run(regions());
    assertEquals(0, first.code(), first.err());
    Map<String, String> before = committedBy();
    assertEquals(5, before.size(), before.toString());
    for (CommitRecord r : ItemCommits.of(dir, "regions").readAll().values()) {
      assertFalse(r.configHash() == null, r.item() + " carries no config hash");
    }

    // Same config: every item would be skipped; the dry run writes nothing.
    Map<String, String> files = tree();
    Result same = BeamlineCliTest.run(plan(regions()));
    assertEquals(0, same.code(), same.err());
    assertThat(same.out(), containsString("skip  nmm_spikes.region-0"));
    assertThat(
        same.out(),
        containsString(
            "5 items: 0 would run, 5 would be skipped (5 already committed with the same config);"
                + " nothing was written"));
    assertEquals(files, tree(), "a dry run writes nothing");

    // An execution setting is not part of any item's config.
    Result option = BeamlineCliTest.run(plan(regions("--target-parallelism", "1")));
    assertThat(option.out(), containsString("0 would run, 5 would be skipped"));

    // A parameter of the synthetic-sources module: only its item would run, and the dry run names
    // the change; a region more is not yet run.
    Result changed =
        BeamlineCliTest.run(plan(regions("--sources-per-sample", "3", "--end-region", "5")));
    assertEquals(0, changed.code(), changed.err());
    assertThat(changed.out(), containsString("run   nmm_spikes.region-4"));
    assertThat(
        changed.out(),
        containsString(
            "test_sample_source1  config changed (since run "
                + before.get("test_sample_source1")
                + ": modules.synthetic-sources.sources-per-sample 2 -> 3)"));
    assertThat(
        changed.out(),
        containsString(
            "6 items: 2 would run (1 not yet run, 1 config changed), 4 would be skipped (4 already"
                + " committed with the same config)"));
    assertEquals(files, tree(), "a dry run writes nothing");

    // The run does what the dry run said: the sources again, the regions left alone.
    Result rerun = BeamlineCliTest.run(regions("--sources-per-sample", "3"));
    assertEquals(0, rerun.code(), rerun.err());
    Map<String, String> after = committedBy();
    for (int r = 0; r < 4; r++) {
      String key = "nmm_spikes.region-" + r;
      assertEquals(before.get(key), after.get(key), key + " was redone");
    }
    assertNotEquals(before.get("test_sample_source1"), after.get("test_sample_source1"));

    // A parameter of an earlier module (simulate-regions) changes every item after it.
    Result seed = BeamlineCliTest.run(plan(regions("--sources-per-sample", "3", "--seed", "5")));
    assertThat(seed.out(), containsString("modules.simulate-regions.seed 42 -> 5"));
    assertThat(seed.out(), containsString("5 items: 5 would run (5 config changed), 0 would be"));
  }

  @Test
  void failedItemsAndValidationErrors() throws Exception {
    ItemCommits.of(dir, "regions").begin("nmm_spikes.region-1").fail("earlier-run", "disk full");
    Result r = BeamlineCliTest.run(plan(regions()));
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("run   nmm_spikes.region-0"));
    assertThat(
        r.out(), containsString("nmm_spikes.region-1  failed before (run earlier-run: disk full)"));
    assertThat(r.out(), containsString("1 failed before"));
    assertFalse(Files.exists(dir.resolve("runs")), "a dry run creates no run directory");

    Path nowhere = dir.resolve("nowhere");
    String[] bad = plan(regions("--end-region", "99", "--output-dir", nowhere.toString()));
    Result invalid = BeamlineCliTest.run(bad);
    assertEquals(2, invalid.code());
    assertEquals(1, invalid.errLines().size(), invalid.err());
    assertFalse(Files.exists(nowhere), "validation writes nothing");
  }

  @Test
  void aPipelineWithoutItemsSaysSo() {
    Result r =
        BeamlineCliTest.run(
            "plan", "demo", "--output-dir", dir.resolve("d").toString(), "--dry-run");
    assertEquals(0, r.code(), r.err());
    assertThat(
        r.out(), containsString("no planned items: this pipeline does not resume item by item"));
    assertFalse(Files.exists(dir.resolve("d")));
  }

  private static void wav(Path file, double freq) throws Exception {
    float[][] x = new float[1][22_050 * 4];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * freq));
    }
    WavWriter.write(file, Audio.of(22_050, x), WavEncoding.PCM_16);
  }

  @Test
  void aChangedInputRerunsItsItemsAndTheDryRunSaysSo() throws Exception {
    Path rec = dir.resolve("recordings");
    wav(rec.resolve("a.wav"), 0.3);
    wav(rec.resolve("b.wav"), 0.5);
    Path out = dir.resolve("out");
    String[] chunk = {
      "infer", "chunk", "--recordings", rec.toString(), "--output-dir", out.toString()
    };
    String[] run = {
      "infer",
      "run",
      "--manifest",
      out.resolve("manifests").toString(),
      "--output-dir",
      out.toString(),
      "--stub-runner",
      "--resume-completed"
    };
    assertEquals(0, BeamlineCliTest.run(chunk).code());
    assertEquals(0, BeamlineCliTest.run(run).code());
    Map<String, CommitRecord> before = ItemCommits.of(out, "infer-run").readAll();
    assertFalse(before.isEmpty());

    // b.wav is recorded again: same name and length, other content, a later time.
    wav(rec.resolve("b.wav"), 0.9);
    Files.setLastModifiedTime(
        rec.resolve("b.wav"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    Result chunkPlan = BeamlineCliTest.run(plan(chunk));
    assertEquals(0, chunkPlan.code(), chunkPlan.err());
    List<String> lines = chunkPlan.out().lines().map(l -> l.replaceAll(" +", " ")).toList();
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("skip a already committed with the same config")),
        lines.toString());
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("run b input changed (since run ")),
        lines.toString());
    assertEquals(0, BeamlineCliTest.run(chunk).code());

    // Only b's chunks were re-cut: the dry run of infer run says so, and the run rescores them.
    Result runPlan = BeamlineCliTest.run(plan(run));
    assertEquals(0, runPlan.code(), runPlan.err());
    long changed = runPlan.out().lines().filter(l -> l.contains(" input changed ")).count();
    long bChunks = before.keySet().stream().filter(k -> k.startsWith("b/")).count();
    assertEquals(bChunks, changed, runPlan.out());
    assertFalse(runPlan.out().contains("run a/"), runPlan.out());
    assertEquals(0, BeamlineCliTest.run(run).code());
    Map<String, CommitRecord> after = ItemCommits.of(out, "infer-run").readAll();
    for (Map.Entry<String, CommitRecord> e : before.entrySet()) {
      String by = after.get(e.getKey()).runId();
      if (e.getKey().startsWith("b/")) {
        assertNotEquals(e.getValue().runId(), by, e.getKey() + " is scored again");
      } else {
        assertEquals(e.getValue().runId(), by, e.getKey() + " is kept");
      }
    }
  }
}

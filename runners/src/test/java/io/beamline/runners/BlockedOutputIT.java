package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.runners.CrashHarness.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output path made unwritable while the packaged command line runs (a file put where a directory
 * must go): the run says so clearly (a failure record naming the path and exit status 3 where one
 * item is hit, or one line and exit status 1 where the run's own final writes are), and everything
 * committed before stays exactly as it was.
 */
class BlockedOutputIT {
  @TempDir Path work;

  /** The items committed when the path was blocked, with the digests of their outputs. */
  private final AtomicReference<Map<String, String>> before = new AtomicReference<>();

  private void assertKept(Path out, String pipeline) throws IOException {
    Map<String, String> after = CrashHarness.committedOutputs(out, pipeline);
    for (Map.Entry<String, String> e : before.get().entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()), "committed output changed: " + e.getKey());
    }
    assertTrue(!before.get().isEmpty(), "something was committed before the block");
  }

  private static CommitRecord failureNaming(Path out, String pipeline, Path blocked) {
    return ItemCommits.of(out, pipeline).readAll().values().stream()
        .filter(r -> !r.succeeded())
        .filter(r -> r.error() != null && r.error().contains(blocked.getFileName().toString()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no failure record names " + blocked));
  }

  @Test
  void inferChunkRecordingDirectoryBlocked() throws Exception {
    // Recordings are chunked in well under a second each here, too fast to block one reliably
    // mid-run: an earlier run commits four of them, then two more arrive, site4's chunk folder is
    // blocked and the folder is chunked again (the four are skipped as committed).
    Path all = CrashSuiteIT.recordings(work);
    Path some = work.resolve("arriving");
    Files.createDirectories(some);
    for (int k = 0; k < 4; k++) {
      Files.copy(all.resolve("site" + k + ".wav"), some.resolve("site" + k + ".wav"));
    }
    Path out = work.resolve("chunk-out");
    Outcome first = CrashHarness.start(work, chunk(some, out), out, null);
    assertEquals(0, first.code(), first.err());
    before.set(CrashHarness.committedOutputs(out, "infer-chunk"));
    Path blocked = out.resolve("chunks/site4");
    Files.writeString(blocked, "in the way\n");
    for (int k = 4; k < 6; k++) {
      Files.copy(all.resolve("site" + k + ".wav"), some.resolve("site" + k + ".wav"));
    }
    Outcome o = CrashHarness.start(work, chunk(some, out), out, null);
    assertEquals(3, o.code(), o.err());
    assertTrue(o.err().contains("1 of "), o.err());
    CommitRecord f = failureNaming(out, "infer-chunk", blocked);
    assertEquals("site4", f.item());
    assertTrue(f.error().contains(";"), "the record says the fix: " + f.error());
    assertTrue(ItemCommits.of(out, "infer-chunk").committed("site5").isPresent());
    assertEquals("in the way\n", Files.readString(blocked), "the user's file is left alone");
    assertKept(out, "infer-chunk");
  }

  private static List<String> chunk(Path recordings, Path out) {
    return List.of(
        "infer", "chunk", "--recordings", recordings.toString(), "--output-dir", out.toString());
  }

  private static List<String> regions(Path out, int end) {
    return List.of(
        "regions",
        "--start-region",
        "0",
        "--end-region",
        String.valueOf(end),
        "--synthetic-regions",
        "6",
        "--synthetic-channels",
        "8",
        "--segment-ms",
        "2500",
        "--segments",
        "2",
        "--iterations",
        "0:1",
        "--seed",
        "11",
        "--output-dir",
        out.toString());
  }

  @Test
  void regionsClipDirectoryBlocked() throws Exception {
    // Regions take a tenth of a second each here, too fast to block one reliably mid-run: an
    // earlier batch commits regions 0-3, then region 4's clip folder is blocked and the whole
    // range runs (the seed's "re-run the same command to continue").
    Path out = work.resolve("regions-out");
    Outcome first = CrashHarness.start(work, regions(out, 4), out, null);
    assertEquals(0, first.code(), first.err());
    before.set(CrashHarness.committedOutputs(out, "regions"));
    Path blocked = out.resolve("nmm_spikes/a4");
    Files.writeString(blocked, "in the way\n");
    Outcome o = CrashHarness.start(work, regions(out, 6), out, null);
    assertEquals(3, o.code(), o.err() + o.out());
    assertTrue(o.err().contains("1 of "), o.err());
    CommitRecord f = failureNaming(out, "regions", blocked);
    assertEquals("nmm_spikes.region-4", f.item());
    assertTrue(ItemCommits.of(out, "regions").committed("nmm_spikes.region-5").isPresent());
    assertEquals("in the way\n", Files.readString(blocked), "the user's file is left alone");
    assertKept(out, "regions");
  }

  @Test
  void inferRunDetectionsDirectoryBlocked() throws Exception {
    Path rec = CrashSuiteIT.recordings(work);
    Path ds = work.resolve("run-ds");
    Outcome chunked =
        CrashHarness.start(
            work,
            List.of(
                "infer", "chunk", "--recordings", rec.toString(), "--output-dir", ds.toString()),
            ds,
            null);
    assertEquals(0, chunked.code(), chunked.err());
    Path out = work.resolve("run-out");
    Outcome o =
        CrashHarness.startAndAct(
            work,
            List.of(
                "infer",
                "run",
                ds.resolve("manifests").toString(),
                "--stub-runner",
                "--output-dir",
                out.toString()),
            out,
            CrashHarness.commitsAtLeast("infer-run", 1),
            o2 -> {
              before.set(CrashHarness.committedOutputs(o2, "infer-run"));
              Path d = o2.resolve("detections");
              io.beamline.io.files.AtomicFiles.deleteTree(d);
              Files.writeString(d, "in the way\n");
            });
    assertEquals(1, o.code(), o.err() + o.out());
    List<String> lines = o.err().lines().filter(l -> l.contains("failed")).toList();
    assertEquals(1, lines.size(), o.err());
    assertTrue(lines.get(0).contains("detections"), lines.get(0));
    assertKept(out, "infer-run");
  }

  private static List<String> constellation(Path out, Path spec, String seed, String runId) {
    return List.of(
        "constellation",
        "--duration",
        "2",
        "--output-dir",
        out.toString(),
        "--subject-id",
        "S1",
        "--session-id",
        "A",
        "--no-kafka",
        "--seed",
        seed,
        "--session-start",
        "2024-05-01T12:00:00Z",
        "--training-config",
        spec.toString(),
        "--run-id",
        runId);
  }

  @Test
  void constellationStagingBlockedKeepsTheCommittedSession() throws Exception {
    Path spec = work.resolve("job.yaml");
    Files.writeString(spec, "model: brainstate-cnn\n");
    Path out = work.resolve("constellation-out");
    Outcome first = CrashHarness.start(work, constellation(out, spec, "7", "first"), out, null);
    assertEquals(0, first.code(), first.err());
    before.set(CrashHarness.committedOutputs(out, "constellation"));
    // The next run's staging set for the gold shards (named after its run id): a file in its way.
    try (Stream<Path> s = Files.list(out.resolve("gold/S1"))) {
      assertEquals(List.of("A"), s.map(p -> p.getFileName().toString()).toList());
    }
    Files.writeString(out.resolve("gold/S1/.A.blocked.tmp"), "in the way\n");
    Outcome o = CrashHarness.start(work, constellation(out, spec, "8", "blocked"), out, null);
    assertEquals(1, o.code(), o.err() + o.out());
    List<String> lines = o.err().lines().filter(l -> l.contains("failed")).toList();
    assertEquals(1, lines.size(), o.err());
    assertKept(out, "constellation");
  }
}

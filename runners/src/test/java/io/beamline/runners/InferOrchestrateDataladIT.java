package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer orchestrate --apply --record-datalad} with the real DataLad (git-annex underneath):
 * each run saved with its DataLad run record. An integration test (about 50 s of DataLad and git)
 * so that it runs beside the other IT classes instead of in the unit tests' single JVM.
 */
class InferOrchestrateDataladIT {
  @TempDir Path dir;

  @Test
  void recordDataladSavesEachRunWithItsDataladRunRecord() throws Exception {
    InferOrchestrateCommandTest.requireDatalad();
    Path ds = InferOrchestrateCommandTest.bogusDataset(dir);
    Map<String, String> env = new HashMap<>();
    env.put("GIT_AUTHOR_NAME", "Beamline Test");
    env.put("GIT_AUTHOR_EMAIL", "test@beamline.invalid");
    env.put("GIT_COMMITTER_NAME", "Beamline Test");
    env.put("GIT_COMMITTER_EMAIL", "test@beamline.invalid");
    BeamlineCliTest.Result notYet =
        InferOrchestrateCommandTest.cli(
            dir, env, "infer", "orchestrate", ds.toString(), "--apply", "--record-datalad");
    assertEquals(2, notYet.code(), notYet.err());
    assertThat(notYet.err(), containsString("to be a DataLad dataset (it has no .datalad/)"));

    BeamlineCliTest.Result created =
        InferOrchestrateCommandTest.process(
            List.of("datalad", "create", "--force", "-c", "text2git", ds.toString()), dir, env);
    assertEquals(0, created.code(), created.err());
    BeamlineCliTest.Result saved =
        InferOrchestrateCommandTest.process(
            List.of("datalad", "save", "-d", ds.toString(), "-m", "chunks"), dir, env);
    assertEquals(0, saved.code(), saved.err());

    BeamlineCliTest.Result r =
        InferOrchestrateCommandTest.cli(
            dir,
            env,
            "infer",
            "orchestrate",
            ds.toString(),
            "--apply",
            "--record-datalad",
            "--stub-runner");
    assertEquals(0, r.code(), r.out() + r.err());
    assertThat(r.out(), containsString("[1/2] datalad run -d " + ds));
    assertThat(r.out(), containsString("2 runs and the aggregation succeeded"));
    BeamlineCliTest.Result log =
        InferOrchestrateCommandTest.process(
            List.of("git", "-C", ds.toString(), "log", "--format=%s"), dir, env);
    List<String> subjects = log.out().lines().toList();
    assertEquals(
        List.of(
            "[DATALAD RUNCMD] beamline infer aggregate",
            "[DATALAD RUNCMD] beamline infer run XXXX-001_20251001_093000",
            "[DATALAD RUNCMD] beamline infer run XXXX-000_20251001_093000"),
        subjects.subList(0, 3));
    // Every output of the runs is saved: the dataset is clean.
    BeamlineCliTest.Result status =
        InferOrchestrateCommandTest.process(
            List.of("git", "-C", ds.toString(), "status", "--porcelain"), dir, env);
    assertEquals("", status.out(), "uncommitted outputs");
    assertTrue(Files.exists(ds.resolve("XXXX-000_20251001_093000.summary.json")));
  }
}

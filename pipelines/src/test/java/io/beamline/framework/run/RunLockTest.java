package io.beamline.framework.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.pipelines.demo.DemoPipeline;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  @TempDir Path dir;

  /** Holds the lock of the run directory in args[0] until killed (a separate process). */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      FileChannel ch =
          FileChannel.open(
              Paths.get(args[0]).resolve(RunLock.FILE),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      ch.lock();
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(120_000);
    }
  }

  private Path unfinishedRun(String id) throws Exception {
    Path run = dir.resolve("runs").resolve(id);
    Files.createDirectories(run);
    Files.writeString(
        run.resolve("manifest.json"),
        "{\"run_id\":\"" + id + "\",\"pipeline\":\"demo\",\"status\":\"running\"}");
    Files.writeString(run.resolve(RunLock.FILE), "");
    return run;
  }

  private Process holdLock(Path run) throws Exception {
    Process p =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Holder.class.getName(),
                run.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
    assertEquals("locked", r.readLine());
    return p;
  }

  private DemoPipeline.DemoOptions options(String runId) {
    return PipelineOptionsFactory.fromArgs(
            "--outputDir=" + dir,
            "--sensors=1",
            "--seconds=1",
            "--rateHz=10",
            "--runner=DirectRunner",
            "--runId=" + runId)
        .as(DemoPipeline.DemoOptions.class);
  }

  @Test
  void aKilledProcessIsToldFromALiveOne() throws Exception {
    Path run = unfinishedRun("old");
    Process holder = holdLock(run);
    try {
      assertTrue(RunLock.alive(run));
      assertEquals("running", RunLock.status(run));
    } finally {
      holder.destroyForcibly().waitFor();
    }
    assertFalse(RunLock.alive(run));
    assertEquals(RunLock.KILLED, RunLock.status(run));
  }

  @Test
  void theNextRunRecordsAKilledRunAndRemovesItsTemporaries() throws Exception {
    Path run = unfinishedRun("old");
    Path tmp = dir.resolve("demo/window_stats/.window_stats.1234.tmp");
    Path beamTmp = dir.resolve("demo/window_stats/.temp-beam-abc/part");
    Files.createDirectories(beamTmp.getParent());
    Files.writeString(tmp, "half");
    Files.writeString(beamTmp, "half");
    Path zarr = dir.resolve("demo/video.zarr/.zarray");
    Files.createDirectories(zarr.getParent());
    Files.writeString(zarr, "{}");

    RunRecord r = Runs.run(new DemoPipeline(), options("new"), List.of("demo"));
    assertEquals("succeeded", r.status());
    Map<String, Object> m = Runs.readManifest(run);
    assertEquals(RunLock.KILLED, m.get("status"));
    assertTrue(String.valueOf(m.get("error")).contains("found by run new"));
    assertTrue(m.get("end_utc") != null);
    assertFalse(Files.exists(tmp));
    assertFalse(Files.exists(beamTmp.getParent()));
    assertTrue(Files.exists(zarr), "hidden data files are not temporaries");
    assertEquals("succeeded", RunLock.status(r.runDir()));
  }

  @Test
  void temporariesStayWhileAnotherRunIsAlive() throws Exception {
    Path dead = unfinishedRun("dead");
    Path live = unfinishedRun("live");
    Path tmp = dir.resolve("demo/.x.1234.tmp");
    Files.createDirectories(tmp.getParent());
    Files.writeString(tmp, "in use");
    Process holder = holdLock(live);
    try {
      Runs.run(new DemoPipeline(), options("new"), List.of("demo"));
      assertEquals(RunLock.KILLED, Runs.readManifest(dead).get("status"));
      assertEquals("running", Runs.readManifest(live).get("status"));
      assertTrue(Files.exists(tmp));
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }
}

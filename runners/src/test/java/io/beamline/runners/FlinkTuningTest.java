package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.OptionProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkTuningTest {
  private static FlinkPipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(FlinkPipelineOptions.class);
  }

  @Test
  void anEmbeddedClusterListensOnLoopbackWithPromptWatermarks() throws Exception {
    List<String> args = List.of("--runner=FlinkRunner");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args, 0);
    assertEquals(200L, o.getAutoWatermarkInterval());
    assertTrue(o.getObjectReuse());
    Path conf = Path.of(o.getFlinkConfDir()).resolve("config.yaml");
    String text = Files.readString(conf);
    for (String key :
        List.of("rest.bind-address", "jobmanager.bind-host", "taskmanager.bind-host")) {
      assertTrue(text.contains(key + ": 127.0.0.1"), text);
    }
  }

  @Test
  void flinksTemporaryFilesGoUnderItsOwnDirectory() throws Exception {
    List<String> args = List.of("--runner=FlinkRunner");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args, 0);
    Path dir = Path.of(o.getFlinkConfDir());
    assertTrue(
        dir.getFileName()
            .toString()
            .startsWith(FlinkTuning.DIR_PREFIX + ProcessHandle.current().pid() + "-"),
        dir.toString());
    assertTrue(
        Files.readString(dir.resolve("config.yaml"))
            .contains("io.tmp.dirs: " + dir.resolve("tmp")));
    assertTrue(Files.isDirectory(dir.resolve("tmp")));
    assertTrue(OptionProperties.madePerRun("flinkConfDir", dir.toString()));
    assertFalse(OptionProperties.madePerRun("flinkConfDir", "/etc/flink"));
    assertFalse(OptionProperties.madePerRun("flinkMaster", dir.toString()));
  }

  @Test
  void aKilledJvmsDirectoryIsRemovedAndALiveOnesKept(@TempDir Path tmp) throws Exception {
    // A JVM that made its directory and was then SIGKILLed: its lock went with it.
    Process killed =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + tmp,
                LoopbackDirMain.class.getName())
            .redirectErrorStream(true)
            .start();
    String made =
        new java.io.BufferedReader(new java.io.InputStreamReader(killed.getInputStream()))
            .readLine();
    Path dead = Path.of(made);
    assertTrue(Files.isRegularFile(dead.resolve("config.yaml")), made);
    killed.destroyForcibly();
    killed.waitFor();
    Files.writeString(dead.resolve("tmp/flink-rpc-akka.jar"), "jar");
    Path live = FlinkTuning.loopbackConfDirIn(tmp); // this JVM's, locked
    Path noLock = Files.createDirectories(tmp.resolve(FlinkTuning.DIR_PREFIX + "1-2"));
    FlinkTuning.removeLeftovers(tmp);
    assertFalse(Files.exists(dead));
    assertTrue(Files.isRegularFile(live.resolve("config.yaml")));
    assertTrue(Files.isDirectory(noLock));
  }

  /** Makes a cluster directory, prints it and waits to be killed. */
  public static final class LoopbackDirMain {
    public static void main(String[] args) throws Exception {
      System.out.println(FlinkTuning.loopbackConfDir());
      System.out.flush();
      Thread.sleep(60_000);
    }
  }

  @Test
  void theCommandLinesSettingsWin() {
    List<String> args =
        List.of(
            "--runner=FlinkRunner",
            "--autoWatermarkInterval=1000",
            "--objectReuse=false",
            "--flinkConfDir=/etc/flink");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args, 0);
    assertEquals(1000L, o.getAutoWatermarkInterval());
    assertFalse(o.getObjectReuse());
    assertEquals("/etc/flink", o.getFlinkConfDir());
  }

  @Test
  void aPipelinesBundleTimeAppliesUnlessTheCommandLineNamesOne() {
    List<String> args = List.of("--runner=FlinkRunner");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args, 250);
    assertEquals(250L, o.getMaxBundleTimeMills());
    FlinkPipelineOptions plain = options(args.toArray(new String[0]));
    FlinkTuning.apply(plain, args, 0);
    assertEquals(
        options(args.toArray(new String[0])).getMaxBundleTimeMills(),
        plain.getMaxBundleTimeMills());
    List<String> named = List.of("--runner=FlinkRunner", "--maxBundleTimeMills=40");
    FlinkPipelineOptions mine = options(named.toArray(new String[0]));
    FlinkTuning.apply(mine, named, 250);
    assertEquals(40L, mine.getMaxBundleTimeMills());
  }

  @Test
  void aRemoteClusterKeepsItsOwnConfiguration() {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=jobmanager:8081");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args, 0);
    assertNull(o.getFlinkConfDir());
  }
}

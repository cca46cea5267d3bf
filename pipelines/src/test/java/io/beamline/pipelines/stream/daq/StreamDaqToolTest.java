package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flag errors: one line naming the flag and the fix, and nothing written. */
class StreamDaqToolTest {
  @TempDir Path dir;

  private String fails(Consumer<DaqOptions> set) {
    DaqOptions o = PipelineOptionsFactory.as(DaqOptions.class);
    o.setBroker("127.0.0.1:" + closedPort());
    o.setOutputDir(dir.resolve("out").toString());
    set.accept(o);
    UserInputException e = assertThrows(UserInputException.class, () -> StreamDaqTool.validate(o));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")), "validation wrote " + dir.resolve("out"));
    return e.getMessage();
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anAbsentBrokerNamesTheFix() {
    String m = fails(o -> {});
    assertTrue(m.startsWith("--broker: no Kafka broker at 127.0.0.1:"), m);
    assertTrue(m.contains("start a broker (e.g. 'beamline stream testbed start')"), m);
    assertTrue(fails(o -> o.setBroker("nocolon")).contains("is not a host:port list"));
  }

  @Test
  void stopConditionsExcludeEachOther() {
    String m =
        fails(
            o -> {
              o.setStfCount(3);
              o.setDuration(10.0);
            });
    assertEquals("--stf-count and --duration both end a run's physics; give one of them", m);
    assertTrue(fails(o -> o.setStfCount(0)).startsWith("--stf-count must be in [1, "));
    assertTrue(fails(o -> o.setDuration(-1.0)).startsWith("--duration must be a number"));
  }

  @Test
  void rangesAreChecked() {
    assertTrue(fails(o -> o.setRuns(0)).startsWith("--runs must be in [1, "));
    assertTrue(fails(o -> o.setTfsPerStf(0)).startsWith("--tfs-per-stf must be in [1, "));
    assertTrue(fails(o -> o.setDetectors(70_000)).startsWith("--detectors must be in [1, "));
    assertTrue(fails(o -> o.setStfInterval(0)).startsWith("--stf-interval must be"));
    assertTrue(fails(o -> o.setHitsPerTf(-2)).startsWith("--hits-per-tf must be in [0, 10000]"));
    assertTrue(fails(o -> o.setHeartbeatSeconds(0)).startsWith("--heartbeat-seconds must be"));
    assertTrue(fails(o -> o.setNamespace(" ")).startsWith("--namespace is empty"));
  }

  @Test
  void anStfIntervalLongerThanAPeriodNeverReachesTheCount() {
    String m =
        fails(
            o -> {
              o.setStfInterval(12);
              o.setStfCount(2);
            });
    assertTrue(m.contains("raise physics_seconds in the --schedule file"), m);
  }

  @Test
  void monitorFlagsGoTogether() throws IOException {
    assertTrue(
        fails(o -> o.setMonitorToken("t")).startsWith("a monitor token without --monitor-url"));
    assertTrue(
        fails(o -> o.setMonitorUrl("http://127.0.0.1:1"))
            .contains("add --monitor-token-file <monitor output-dir>/monitor.token"));
    assertTrue(
        fails(
                o -> {
                  o.setMonitorUrl("ftp://x");
                  o.setMonitorToken("t");
                })
            .contains("is not an http(s) URL"));
    assertTrue(
        fails(
                o -> {
                  o.setMonitorUrl("http://127.0.0.1:1");
                  o.setMonitorTokenFile(dir.resolve("missing.token").toString());
                })
            .contains("cannot be read"));
  }

  @Test
  void aBadScheduleStopsBeforeTheBrokerIsAsked() throws IOException {
    Path s = Files.writeString(dir.resolve("s.yaml"), "physics_second: 3\n");
    String m = fails(o -> o.setSchedule(s.toString()));
    assertTrue(m.contains("did you mean 'physics_seconds'?"), m);
  }

  @Test
  void anOutputDirThatIsAFileIsRefused() throws IOException {
    Path f = Files.writeString(dir.resolve("file"), "x");
    DaqOptions o = PipelineOptionsFactory.as(DaqOptions.class);
    o.setBroker("127.0.0.1:" + closedPort());
    o.setOutputDir(f.toString());
    UserInputException e = assertThrows(UserInputException.class, () -> StreamDaqTool.validate(o));
    assertTrue(e.getMessage().contains("exists and is not a directory"), e.getMessage());
  }
}

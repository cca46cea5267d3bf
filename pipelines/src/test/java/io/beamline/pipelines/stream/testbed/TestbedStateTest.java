package io.beamline.pipelines.stream.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestbedStateTest {

  private static TestbedState.Proc self(String name) {
    return TestbedState.Proc.of(
        name, ProcessHandle.current(), Path.of("/x/" + name + ".log"), null);
  }

  @Test
  void roundTripsThroughTheFileAndUpdatesAgentsByName(@TempDir Path dir) throws Exception {
    TestbedState s =
        new TestbedState(
            "starting",
            null,
            dir.toString(),
            self("supervisor"),
            null,
            null,
            "http://127.0.0.1:8765",
            dir.resolve("monitor/monitor.token").toString(),
            List.of(),
            Instant.now().toString());
    s = s.withAgent(self("monitor")).withAgent(self("daq"));
    s = s.withAgent(s.agents().get(1).exited(0)).with("running", null);
    s.write(dir);
    TestbedState back = TestbedState.read(dir).orElseThrow();
    assertEquals("running", back.state());
    assertEquals(
        List.of("monitor", "daq"), back.agents().stream().map(TestbedState.Proc::name).toList());
    assertEquals(0, back.agents().get(1).exitCode());
    assertEquals(null, back.agents().get(0).exitCode());
    assertEquals(s.monitorUrl(), back.monitorUrl());
    assertEquals(
        List.of("daq", "monitor", "supervisor"),
        back.stopOrder().stream().map(TestbedState.Proc::name).toList());
    assertTrue(TestbedState.read(dir.resolve("none")).isEmpty());
  }

  @Test
  void aPidIsOursOnlyWithItsStartInstant() {
    TestbedState.Proc me = self("supervisor");
    assertTrue(me.live().isPresent());
    TestbedState.Proc reused =
        new TestbedState.Proc("x", me.pid(), "2001-01-01T00:00:00Z", null, null, null, 0);
    assertFalse(reused.live().isPresent(), "another process under a reused pid");
  }

  @Test
  void agentsAreChosenFromTheOneList() {
    assertEquals(
        List.of("monitor", "process", "daq"),
        TestbedAgents.select("daq,monitor,process").stream()
            .map(TestbedAgents.Agent::name)
            .toList());
    UserInputException e =
        assertThrows(UserInputException.class, () -> TestbedAgents.select("daq,procss"));
    assertEquals(
        "--agents: unknown agent 'procss' (did you mean 'process'?); agents: monitor, process, daq",
        e.getMessage());
    assertThrows(UserInputException.class, () -> TestbedAgents.select(" , "));
  }

  @Test
  void theDaqGetsTheMonitorAndTheRunFlags() {
    TestbedOptions o = org.apache.beam.sdk.options.PipelineOptionsFactory.as(TestbedOptions.class);
    o.setStfCount(4);
    o.setNoRealtime(true);
    Path dir = Path.of("/tb");
    TestbedAgents.Context c =
        new TestbedAgents.Context(
            dir,
            "127.0.0.1:9",
            java.net.URI.create("http://127.0.0.1:8765"),
            TestbedAgents.tokenFile(dir),
            o);
    TestbedAgents.Agent daq = TestbedAgents.select("daq").get(0);
    assertEquals(
        List.of(
            "stream",
            "daq",
            "--broker",
            "127.0.0.1:9",
            "--output-dir",
            "/tb/daq",
            "--runs",
            "1",
            "--monitor-url",
            "http://127.0.0.1:8765",
            "--monitor-token-file",
            "/tb/monitor/monitor.token",
            "--stf-count",
            "4",
            "--no-realtime"),
        daq.command().apply(c));
    TestbedAgents.Context alone = new TestbedAgents.Context(dir, "127.0.0.1:9", null, null, o);
    assertFalse(daq.command().apply(alone).contains("--monitor-url"));
  }
}

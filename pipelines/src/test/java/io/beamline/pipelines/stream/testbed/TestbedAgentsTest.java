package io.beamline.pipelines.stream.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class TestbedAgentsTest {
  private static List<String> processCommand(String... flags) {
    TestbedOptions o = PipelineOptionsFactory.fromArgs(flags).as(TestbedOptions.class);
    TestbedAgents.Context c =
        new TestbedAgents.Context(Path.of("/tb"), "127.0.0.1:9092", null, null, o);
    return TestbedAgents.select("process").get(0).command().apply(c);
  }

  @Test
  void theProcessAgentRunsOnTheDirectRunnerByDefault() {
    assertEquals(
        List.of(
            "stream",
            "process",
            "--broker",
            "127.0.0.1:9092",
            "--output-dir",
            Path.of("/tb/process").toString(),
            "--runner=DirectRunner"),
        processCommand());
  }

  @Test
  void processRunnerPicksTheProcessAgentsRunner() {
    assertEquals("--runner=FlinkRunner", processCommand("--processRunner=FlinkRunner").get(6));
  }
}

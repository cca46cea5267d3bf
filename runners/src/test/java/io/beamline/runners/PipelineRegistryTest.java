package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.BeamlineTool;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineRegistryTest {

  @Test
  void everyCommandIsRegisteredOnceInHelpOrder() {
    List<String> pipelines =
        PipelineRegistry.all().stream()
            .map(BeamlinePipeline::commandPath)
            .map(p -> String.join(" ", p))
            .toList();
    assertEquals(
        List.of(
            "demo",
            "regions",
            "infer chunk",
            "infer run",
            "infer aggregate",
            "constellation",
            "stream process"),
        pipelines);
    List<String> tools =
        PipelineRegistry.tools().stream()
            .map(BeamlineTool::commandPath)
            .map(p -> String.join(" ", p))
            .toList();
    assertEquals(
        List.of(
            "infer train",
            "infer orchestrate",
            "infer monitor",
            "infer import",
            "stream daq",
            "stream testbed"),
        tools);
    assertEquals(
        "directory",
        PipelineRegistry.tools().stream()
            .filter(t -> t.commandPath().equals(List.of("infer", "orchestrate")))
            .findFirst()
            .orElseThrow()
            .positional());
  }
}

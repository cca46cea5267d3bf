package io.beamline.runners;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.BeamlineTool;
import io.beamline.pipelines.constellation.ConstellationPipeline;
import io.beamline.pipelines.demo.DemoPipeline;
import io.beamline.pipelines.infer.aggregate.InferAggregatePipeline;
import io.beamline.pipelines.infer.chunk.InferChunkPipeline;
import io.beamline.pipelines.infer.imports.InferImportTool;
import io.beamline.pipelines.infer.monitor.InferMonitorTool;
import io.beamline.pipelines.infer.orchestrate.InferOrchestrateTool;
import io.beamline.pipelines.infer.run.InferRunPipeline;
import io.beamline.pipelines.infer.train.InferTrainTool;
import io.beamline.pipelines.regions.RegionsPipeline;
import io.beamline.pipelines.stream.daq.StreamDaqTool;
import io.beamline.pipelines.stream.process.StreamProcessPipeline;
import io.beamline.pipelines.stream.testbed.StreamTestbedTool;
import java.util.List;
import java.util.Optional;

/** The pipelines and tools this build can run, in the order {@code --help} lists them. */
public final class PipelineRegistry {
  private static final List<BeamlinePipeline<?>> ALL =
      List.of(
          new DemoPipeline(),
          new RegionsPipeline(),
          new InferChunkPipeline(),
          new InferRunPipeline(),
          new InferAggregatePipeline(),
          new ConstellationPipeline(),
          new StreamProcessPipeline());

  private static final List<BeamlineTool<?>> TOOLS =
      List.of(
          new InferTrainTool(),
          new InferOrchestrateTool(),
          new InferMonitorTool(),
          new InferImportTool(),
          new StreamDaqTool(),
          new StreamTestbedTool());

  private PipelineRegistry() {}

  /** Every runnable pipeline. */
  public static List<BeamlinePipeline<?>> all() {
    return ALL;
  }

  /** Every command that is not a pipeline, in the order {@code --help} lists them. */
  public static List<BeamlineTool<?>> tools() {
    return TOOLS;
  }

  /** The pipeline called {@code name}, if this build has it. */
  public static Optional<BeamlinePipeline<?>> find(String name) {
    return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
  }
}

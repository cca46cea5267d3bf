package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class FlinkTuningTest {
  private static FlinkPipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(FlinkPipelineOptions.class);
  }

  @Test
  void anEmbeddedClusterListensOnLoopbackWithPromptWatermarks() throws Exception {
    List<String> args = List.of("--runner=FlinkRunner");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args);
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
  void theCommandLinesSettingsWin() {
    List<String> args =
        List.of(
            "--runner=FlinkRunner",
            "--autoWatermarkInterval=1000",
            "--objectReuse=false",
            "--flinkConfDir=/etc/flink");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args);
    assertEquals(1000L, o.getAutoWatermarkInterval());
    assertFalse(o.getObjectReuse());
    assertEquals("/etc/flink", o.getFlinkConfDir());
  }

  @Test
  void aRemoteClusterKeepsItsOwnConfiguration() {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=jobmanager:8081");
    FlinkPipelineOptions o = options(args.toArray(new String[0]));
    FlinkTuning.apply(o, args);
    assertNull(o.getFlinkConfDir());
  }
}

package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The constellation graph is three modules in batch and streaming alike; the modes differ in the
 * source's settings and the windowing, and only whole-session outputs are batch-only.
 */
class ConstellationModulesTest {
  @TempDir Path dir;

  /** Full names of every transform of the graph {@code o} builds, in graph order. */
  private static List<String> steps(ConstellationOptions o) {
    new ConstellationPipeline().validate(o);
    o.setRunId("test-run");
    Pipeline p = Pipeline.create(o);
    new ConstellationPipeline().build(p, o);
    List<String> names = new ArrayList<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              names.add(node.getFullName());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names;
  }

  private static List<String> topLevel(List<String> steps) {
    return steps.stream().filter(s -> !s.contains("/")).toList();
  }

  private ConstellationOptions streaming() {
    return PipelineOptionsFactory.fromArgs(
            "--outputDir=" + dir.resolve("out"), "--subjectId=S1", "--sessionId=A", "--streaming")
        .as(ConstellationOptions.class);
  }

  @Test
  void batchAndStreamingAreTheSameThreeModules() {
    List<String> batch = steps(options(args(dir.resolve("out"), "--duration=2")));
    List<String> stream = steps(streaming());
    List<String> modules = List.of("kafka-source", "align-streams", "session-outputs");
    assertEquals(modules, topLevel(batch));
    assertEquals(modules, topLevel(stream));
    List<String> noKafka = steps(options(args(dir.resolve("out"), "--duration=2", "--noKafka")));
    assertEquals(List.of("driver-source", "align-streams", "session-outputs"), topLevel(noKafka));

    // Whole-session files (and the one session report) are batch-only; the rest is shared.
    for (String shared :
        List.of(
            "session-outputs/WriteTimeSeriesParquet",
            "session-outputs/ToWebDatasetSamples",
            "session-outputs/WriteRejectedRecords")) {
      assertTrue(batch.contains(shared), shared);
      assertTrue(stream.contains(shared), shared);
    }
    assertTrue(batch.contains("session-outputs/WriteVideoZarr"));
    assertTrue(batch.contains("session-outputs/WriteNwb"));
    assertTrue(batch.contains("session-outputs/WriteSyncReport"));
    assertFalse(stream.contains("session-outputs/WriteVideoZarr"));
    assertFalse(stream.contains("session-outputs/WriteNwb"));
    assertTrue(stream.contains("session-outputs/WriteWindowReports"));
    // Batch shards wait for --shard-size windows; streaming writes each window's shard as it
    // closes.
    assertTrue(batch.contains("session-outputs/WriteShards"));
    assertTrue(stream.contains("session-outputs/WriteWindowShards"));
    assertFalse(stream.contains("session-outputs/WriteShards"));
    assertTrue(stream.contains("align-streams/EventTimeWindows"));
    assertFalse(batch.contains("align-streams/EventTimeWindows"));
  }

  @Test
  void modulesShowTheirSettings() {
    ConstellationOptions o = options(args(dir.resolve("out"), "--duration=2", "--seed=9"));
    new ConstellationPipeline().validate(o);
    o.setRunId("test-run");
    ConstellationSettings s = ConstellationSettings.resolve(o);
    String align = DisplayData.from(s.align().toModule()).toString();
    assertThat(align, containsString("windowing.eventTime"));
    assertThat(align, containsString("seed 9"));
    String outputs = DisplayData.from(s.outputs().toModule()).toString();
    assertThat(outputs, containsString("shardSize"));
    assertThat(outputs, containsString("streams: AlignedSlice, failures: Failure"));
    String source = DisplayData.from(s.source().toModule()).toString();
    assertThat(source, containsString("bounded"));
  }

  @Test
  void settingsOutOfRangeAreRefusedByTheirRecords() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Windowing(true, 0, 0));
    assertThat(e.getMessage(), containsString("sizeMs"));
    ConstellationOptions o = options(args(dir.resolve("out"), "--duration=2"));
    new ConstellationPipeline().validate(o);
    o.setRunId("test-run");
    SessionOutputs.Config c = ConstellationSettings.resolve(o).outputs();
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SessionOutputs.Config(
                    c.plan(),
                    c.runId(),
                    c.raw(),
                    c.gold(),
                    c.baseName(),
                    0,
                    c.windowing(),
                    c.nwbHeader()));
    assertThat(e.getMessage(), containsString("shardSize must be >= 1, got 0"));
  }
}

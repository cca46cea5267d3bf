package io.beamline.pipelines.infer.chunk;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.framework.module.Module;
import io.beamline.transforms.audio.Chunker;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.junit.jupiter.api.Test;

/** The settings of the {@code infer chunk} modules: validated once, shown in the plan. */
class ChunkModulesTest {
  private static ChunkSettings settings(double chunk, double overlap, int rate) {
    return new ChunkSettings(
        "/data/audio",
        "/data/out",
        "infer-chunk",
        "run-1",
        chunk,
        overlap,
        Chunker.Partial.PAD,
        rate,
        null);
  }

  @Test
  void settingsRefuseOutOfRangeValuesNamingThem() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> settings(3, 3, 28_000));
    assertThat(e.getMessage(), containsString("overlapSeconds must be in [0, 3.0), got 3.0"));
    e = assertThrows(IllegalArgumentException.class, () -> settings(0, 0, 28_000));
    assertThat(e.getMessage(), containsString("chunkSeconds"));
    e = assertThrows(IllegalArgumentException.class, () -> settings(3, 0, 0));
    assertThat(e.getMessage(), containsString("targetRate must be in [1, 10000000] Hz, got 0"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ChunkRecordings.Config(List.of(), settings(3, 0, 28_000)));
    assertThrows(IllegalArgumentException.class, () -> new WriteChunkOutputs.Config("out"));
  }

  @Test
  void theChunkingSettingsAreTheModulesDisplayData() {
    ChunkRecordings m =
        Module.from(
            new ChunkRecordings.Config(List.of("/data/audio/a.wav"), settings(3, 0.5, 16_000)));
    Map<String, Object> items =
        DisplayData.from(m).items().stream()
            .collect(Collectors.toMap(DisplayData.Item::getKey, DisplayData.Item::getValue));
    assertEquals("chunk-recordings", items.get("module"));
    assertEquals("3.0", items.get("chunking.chunkSeconds"));
    assertEquals("0.5", items.get("chunking.overlapSeconds"));
    assertEquals("16000", items.get("chunking.targetRate"));
    assertEquals("PAD", items.get("chunking.partial"));
    assertEquals("[/data/audio/a.wav]", items.get("files"));
  }
}

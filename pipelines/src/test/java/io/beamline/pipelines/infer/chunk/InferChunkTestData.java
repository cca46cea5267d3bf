package io.beamline.pipelines.infer.chunk;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Recordings for the chunk pipeline's tests, generated with {@link WavWriter}. */
final class InferChunkTestData {
  private InferChunkTestData() {}

  /** 2.6 s each: with 1 s chunks and 0.25 s overlap, chunks at 0, 750, 1500 and 2250 ms. */
  static final double SECONDS = 2.6;

  /** Recording ids that chunk successfully, sorted. */
  static final List<String> GOOD = List.of("birds_16k_24bit", "dawn_44k_stereo", "night_48k_float");

  /** A tone mix per channel: distinct frequencies so channels cannot be swapped unnoticed. */
  static Audio tones(int rate, int channels, double seconds) {
    int n = (int) Math.round(seconds * rate);
    float[][] x = new float[channels][n];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < n; i++) {
        double t = (double) i / rate;
        x[c][i] =
            (float)
                (0.4 * Math.sin(2 * Math.PI * (440 + 300 * c) * t)
                    + 0.2 * Math.sin(2 * Math.PI * 2500 * t + c));
      }
    }
    return Audio.of(rate, x);
  }

  /**
   * Writes under {@code dir}: three good recordings (16-bit stereo 44.1 kHz, 24-bit mono 16 kHz,
   * float mono 48 kHz in a subdirectory), a truncated 16-bit file, a text file named {@code .wav}.
   */
  static void write(Path dir) throws IOException {
    WavWriter.write(
        dir.resolve("dawn_44k_stereo.wav"), tones(44_100, 2, SECONDS), WavEncoding.PCM_16);
    WavWriter.write(
        dir.resolve("birds_16k_24bit.wav"), tones(16_000, 1, SECONDS), WavEncoding.PCM_24);
    WavWriter.write(
        dir.resolve("deep/er/night_48k_float.wav"),
        tones(48_000, 1, SECONDS),
        WavEncoding.FLOAT_32);
    byte[] full = WavWriter.toBytes(tones(22_050, 1, SECONDS), WavEncoding.PCM_16);
    // Cut inside the data chunk: the header promises more frames than the file holds.
    Files.write(dir.resolve("cut_short.wav"), java.util.Arrays.copyOf(full, full.length / 2));
    Files.writeString(dir.resolve("notes.wav"), "field notes, not audio\n");
  }

  /**
   * Writes under {@code dir} one good recording ({@code good.wav}, 16-bit mono 22.05 kHz) and four
   * bad ones: {@code truncated.wav} (cut inside its data), {@code lying.wav} (a complete file whose
   * header says 0 Hz), {@code text.wav} (text) and {@code empty.wav} (0 bytes).
   */
  static void writeBad(Path dir) throws IOException {
    byte[] good = WavWriter.toBytes(tones(22_050, 1, SECONDS), WavEncoding.PCM_16);
    Files.createDirectories(dir);
    Files.write(dir.resolve("good.wav"), good);
    Files.write(dir.resolve("truncated.wav"), java.util.Arrays.copyOf(good, good.length / 3));
    byte[] lying = good.clone();
    // The fmt chunk's sample rate (bytes 24..27 of a plain 44-byte header) set to 0.
    java.nio.ByteBuffer.wrap(lying).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24, 0);
    Files.write(dir.resolve("lying.wav"), lying);
    Files.writeString(dir.resolve("text.wav"), "recorded at dawn, see notebook\n");
    Files.write(dir.resolve("empty.wav"), new byte[0]);
  }

  static InferChunkPipeline.InferChunkOptions options(Path recordings, Path out, String... extra) {
    List<String> a = new ArrayList<>();
    a.add("--recordings=" + recordings);
    a.add("--outputDir=" + out);
    String given = String.join(" ", extra);
    if (!given.contains("--chunkSeconds=")) {
      a.add("--chunkSeconds=1.0");
    }
    if (!given.contains("--overlapSeconds=")) {
      a.add("--overlapSeconds=0.25");
    }
    a.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(a.toArray(new String[0]))
        .as(InferChunkPipeline.InferChunkOptions.class);
  }

  /** Relative paths of the regular files under {@code dir}, sorted. */
  static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}

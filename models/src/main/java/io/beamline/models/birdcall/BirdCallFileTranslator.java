package io.beamline.models.birdcall;

import ai.djl.ndarray.NDList;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavReader;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * From the path of one chunk WAV file (as {@code beamline infer chunk} writes them: 3 s at 28 kHz,
 * any sample format) to label scores: reads the file inside the predictor, so only the path travels
 * through the pipeline, averages the channels to mono, then does what {@link BirdCallTranslator}
 * does. A file that cannot be read, or of another rate or length, is rejected with an exception
 * naming the file and the fix, which {@link io.beamline.models.inference.RunInference} turns into a
 * failure record of that chunk alone.
 */
public final class BirdCallFileTranslator implements Translator<String, float[]> {
  private final BirdCallTranslator scores = new BirdCallTranslator();

  @Override
  public NDList processInput(TranslatorContext ctx, String path) throws IOException {
    return scores.processInput(ctx, read(Paths.get(path)));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    return scores.processOutput(ctx, list);
  }

  /**
   * The mono samples of chunk file {@code path}.
   *
   * @throws IOException if the file cannot be read as WAV (naming it)
   * @throws IllegalArgumentException naming the file, its rate or length, and the fix
   */
  public static float[] read(Path path) throws IOException {
    Audio a = WavReader.read(path);
    if (a.sampleRate() != BirdCallFeatures.SAMPLE_RATE || a.frames() != BirdCallFeatures.SAMPLES) {
      throw new IllegalArgumentException(
          "chunk "
              + path
              + " has "
              + a.frames()
              + " frames at "
              + a.sampleRate()
              + " Hz; the detector takes 3.0 s at "
              + BirdCallFeatures.SAMPLE_RATE
              + " Hz: chunk with --chunk-seconds 3 --target-rate "
              + BirdCallFeatures.SAMPLE_RATE
              + " --partial pad");
    }
    if (a.channels() == 1) {
      return a.channel(0);
    }
    float[] mono = new float[a.frames()];
    for (int c = 0; c < a.channels(); c++) {
      float[] ch = a.channel(c);
      for (int i = 0; i < mono.length; i++) {
        mono[i] += ch[i];
      }
    }
    float scale = 1f / a.channels();
    for (int i = 0; i < mono.length; i++) {
      mono[i] *= scale;
    }
    return mono;
  }
}

package io.beamline.models.birdcall;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.failures.Failure;
import io.beamline.models.inference.FloatArrayCoder;
import io.beamline.models.inference.InferenceResult;
import io.beamline.models.inference.RunInference;
import io.beamline.transforms.audio.BirdCallSynth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Chunk files in, the same scores as their samples in. */
public class BirdCallFileTranslatorTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static float[] segment(int i) {
    return BirdCallSynth.segment(
            BirdCallModel.LABELS.get(i % 4), 3.0, BirdCallFeatures.SAMPLE_RATE, 500 + i)
        .samples();
  }

  private Path write(String name, int rate, float[]... channels) throws Exception {
    Path f = tmp.getRoot().toPath().resolve(name);
    WavWriter.write(f, Audio.of(rate, channels), WavEncoding.FLOAT_32);
    return f;
  }

  @Test
  public void aFileScoresLikeItsSamplesMonoOrStereo() throws Exception {
    Path model = BirdCallModel.bundled(tmp.newFolder("cache").toPath());
    float[] x = segment(1);
    Path mono = write("mono.wav", BirdCallFeatures.SAMPLE_RATE, x);
    Path stereo = write("stereo.wav", BirdCallFeatures.SAMPLE_RATE, x, x.clone());
    try (ZooModel<float[], float[]> m = BirdCallModel.spec(model).load(Device.cpu());
        Predictor<float[], float[]> samples = m.newPredictor();
        ZooModel<String, float[]> fm = BirdCallModel.fileSpec(model).load(Device.cpu());
        Predictor<String, float[]> files = fm.newPredictor()) {
      float[] expected = samples.predict(x);
      assertArrayEquals(expected, files.predict(mono.toString()), 0f);
      assertArrayEquals(expected, files.predict(stereo.toString()), 0f);
      assertEquals(
          BirdCallModel.LABELS.indexOf(BirdCallSynth.CHIRP), BirdCallEvaluator.argmax(expected));
    }
  }

  @Test
  public void aChunkOfAnotherRateOrLengthIsRefusedNamingTheFix() throws Exception {
    Path wrongRate = write("r.wav", 44_100, new float[BirdCallFeatures.SAMPLES]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BirdCallFileTranslator.read(wrongRate));
    assertThat(e.getMessage(), containsString(wrongRate.toString()));
    assertThat(e.getMessage(), containsString("--target-rate 28000"));
    Path short1 = write("s.wav", BirdCallFeatures.SAMPLE_RATE, new float[1000]);
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> BirdCallFileTranslator.read(short1))
            .getMessage(),
        containsString("1000 frames"));
  }

  @Test
  public void inRunInferenceABrokenFileFailsAloneWithItsReason() throws Exception {
    Path model = BirdCallModel.bundled(tmp.newFolder("cache").toPath());
    List<KV<String, String>> in = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    try (ZooModel<float[], float[]> m = BirdCallModel.spec(model).load(Device.cpu());
        Predictor<float[], float[]> samples = m.newPredictor()) {
      for (int i = 0; i < 5; i++) {
        float[] x = segment(i);
        in.add(KV.of("c" + i, write("c" + i + ".wav", BirdCallFeatures.SAMPLE_RATE, x).toString()));
        expected.add(samples.predict(x));
      }
    }
    Path broken = tmp.getRoot().toPath().resolve("broken.wav");
    Files.write(broken, "RIFF....WAVEjunk".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    in.add(KV.of("broken", broken.toString()));
    PCollectionTuple out =
        p.apply(Create.of(in).withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
            .apply(
                RunInference.of(BirdCallModel.fileSpec(model), FloatArrayCoder.of())
                    .withBatchSize(1)
                    .withShards(2));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .satisfies(
            all -> {
              int n = 0;
              for (InferenceResult<float[]> r : all) {
                int i = Integer.parseInt(r.key().substring(1));
                assertArrayEquals(expected.get(i), r.output(), 0f);
                n++;
              }
              assertEquals(5, n);
              return null;
            });
    PAssert.that(out.get(RunInference.FAILURES))
        .satisfies(
            all -> {
              List<Failure> f = new ArrayList<>();
              all.forEach(f::add);
              assertEquals(1, f.size());
              assertEquals("broken", f.get(0).item);
              assertThat(f.get(0).error, containsString("broken.wav"));
              return null;
            });
    p.run().waitUntilFinish();
  }
}

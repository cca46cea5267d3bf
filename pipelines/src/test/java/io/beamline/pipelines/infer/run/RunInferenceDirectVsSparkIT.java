package io.beamline.pipelines.infer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.failures.Failure;
import io.beamline.models.birdcall.BirdCallEvaluator;
import io.beamline.models.birdcall.BirdCallFeatures;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.inference.FloatArrayCoder;
import io.beamline.models.inference.InferenceResult;
import io.beamline.models.inference.RunInference;
import io.beamline.transforms.audio.BirdCallSynth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled detector over chunk files through {@code RunInference} on the DirectRunner and the
 * SparkRunner ({@code local[2]}), batching within bundles and across shards: the same label per
 * chunk, scores within float rounding, and the same failure for a broken file.
 */
class RunInferenceDirectVsSparkIT {
  @TempDir Path dir;

  private List<KV<String, String>> chunks() throws Exception {
    Path d = Files.createDirectories(dir.resolve("chunks"));
    List<KV<String, String>> in = new ArrayList<>();
    for (int i = 0; i < 22; i++) {
      Path f = d.resolve(String.format(Locale.ROOT, "c%02d.wav", i));
      float[] x =
          BirdCallSynth.segment(
                  BirdCallModel.LABELS.get(i % 4), 3.0, BirdCallFeatures.SAMPLE_RATE, 40 + i)
              .samples();
      WavWriter.write(
          f, Audio.of(BirdCallFeatures.SAMPLE_RATE, new float[][] {x}), WavEncoding.FLOAT_32);
      in.add(KV.of(f.getFileName().toString(), f.toString()));
    }
    Path broken = d.resolve("broken.wav");
    Files.writeString(broken, "not a wav file");
    in.add(KV.of("broken.wav", broken.toString()));
    return in;
  }

  /** Lines {@code key|label|scores} and {@code key|FAILED|error} written by one run. */
  private Map<String, String> run(
      String runner, List<KV<String, String>> in, Path model, int shards) throws Exception {
    Path out = dir.resolve(runner + "-" + shards);
    PipelineOptions o =
        PipelineOptionsFactory.fromArgs("--runner=" + runner, "--sparkMaster=local[2]").create();
    Pipeline p = Pipeline.create(o);
    PCollectionTuple r =
        p.apply(Create.of(in).withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
            .apply(
                RunInference.of(BirdCallModel.fileSpec(model), FloatArrayCoder.of())
                    .withBatchSize(4)
                    .withShards(shards)
                    .withPadding(RunInference.Padding.ALWAYS));
    PCollectionList.of(
            r.get(RunInference.<float[]>results())
                .apply(
                    "Results",
                    MapElements.into(TypeDescriptors.strings())
                        .via((InferenceResult<float[]> x) -> line(x))))
        .and(
            r.get(RunInference.FAILURES)
                .apply(
                    "Failures",
                    MapElements.into(TypeDescriptors.strings())
                        .via((Failure f) -> f.item + "|FAILED|" + f.error)))
        .apply(org.apache.beam.sdk.transforms.Flatten.pCollections())
        .apply(TextIO.write().to(out.resolve("part").toString()));
    p.run().waitUntilFinish();
    Map<String, String> lines = new TreeMap<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path f : s.filter(x -> x.getFileName().toString().startsWith("part")).toList()) {
        for (String l : Files.readAllLines(f)) {
          lines.put(l.substring(0, l.indexOf('|')), l.substring(l.indexOf('|') + 1));
        }
      }
    }
    return lines;
  }

  private static String line(InferenceResult<float[]> x) {
    StringBuilder s = new StringBuilder(x.key()).append('|');
    s.append(BirdCallModel.LABELS.get(BirdCallEvaluator.argmax(x.output())));
    for (float v : x.output()) {
      // Scores to 4 decimals: the same on both runners unless rounding sits on an edge.
      s.append(String.format(Locale.ROOT, "|%.4f", v));
    }
    return s.toString();
  }

  @Test
  void sameDetectionsOnBothRunnersWithAndWithoutShards() throws Exception {
    List<KV<String, String>> in = chunks();
    Path model = BirdCallModel.bundled(dir.resolve("cache"));
    Map<String, String> reference = run("DirectRunner", in, model, 0);
    assertEquals(in.size(), reference.size());
    assertTrue(reference.get("broken.wav").startsWith("FAILED|"), reference.get("broken.wav"));
    int right = 0;
    for (int i = 0; i < 22; i++) {
      String label = reference.get(String.format(Locale.ROOT, "c%02d.wav", i)).split("\\|")[0];
      right += label.equals(BirdCallModel.LABELS.get(i % 4)) ? 1 : 0;
    }
    assertTrue(right >= 20, "the bundled model labels " + right + " of 22 synthetic chunks right");
    assertEquals(reference, run("DirectRunner", in, model, 2));
    assertEquals(reference, run("SparkRunner", in, model, 0));
    assertEquals(reference, run("SparkRunner", in, model, 2));
  }
}

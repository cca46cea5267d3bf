package io.beamline.models.bench;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.birdcall.BirdCallTrainer;
import io.beamline.models.inference.FloatArrayCoder;
import io.beamline.models.inference.InferenceResult;
import io.beamline.models.inference.ModelSpec;
import io.beamline.models.inference.RunInference;
import io.beamline.transforms.audio.BirdCallSynth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;

/**
 * Chunks per second of {@link RunInference} on the DirectRunner against a bare loop calling {@code
 * batchPredict} of the same model and translator on the same batches, in one JVM, on the CPU.
 *
 * <p>Both sides include the translator's work (log-mel features) and the CNN; the pipeline side
 * also includes Beam's batching step, coders and the DirectRunner's checks. Each side is warmed up
 * once, then measured alternately {@code rounds} times; the ratio of medians is reported.
 *
 * <p>Arguments: {@code [chunks=256] [batchSize=32] [rounds=3]}. Run with {@code
 * bench/infer-inference.sh}.
 */
public final class InferenceBench {
  /** The segments, for the keys-only source (same JVM: the DirectRunner does not serialise). */
  static volatile List<float[]> distinctSegments;

  private InferenceBench() {}

  /** Index to keyed segment: the audio comes from memory, like the bare loop's. */
  static final class LookupFn
      extends org.apache.beam.sdk.transforms.DoFn<Integer, KV<String, float[]>> {
    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<KV<String, float[]>> out) {
      out.output(KV.of("chunk-" + i, distinctSegments.get(i % distinctSegments.size())));
    }
  }

  public static void main(String[] args) throws Exception {
    int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;

    Path dir = Files.createTempDirectory("infer-bench").resolve("birdcall");
    // Throughput does not depend on how well the model is trained: a short run gives real params.
    BirdCallTrainer.train(1L, 4, 1, dir);
    ModelSpec<float[], float[]> spec = BirdCallModel.spec(dir);

    // 32 distinct synthetic segments, repeated under distinct keys.
    List<float[]> distinct = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      distinct.add(
          BirdCallSynth.segment(BirdCallModel.LABELS.get(i % 4), 3.0, 28_000, 100 + i).samples());
    }
    distinctSegments = distinct;
    List<KV<String, float[]>> input = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      input.add(KV.of("chunk-" + i, distinct.get(i % distinct.size())));
    }

    System.out.printf(
        Locale.ROOT,
        "chunks=%d batch=%d rounds=%d cores=%d torch_threads=%s%n",
        chunks,
        batchSize,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"));

    try (ZooModel<float[], float[]> model = spec.load(Device.cpu());
        Predictor<float[], float[]> predictor = model.newPredictor()) {
      bare(predictor, input, batchSize); // warm-up
      pipeline(spec, input, batchSize, true); // warm-up (loads the shared model once)
      double[] bare = new double[rounds];
      double[] checked = new double[rounds];
      double[] unchecked = new double[rounds];
      double[] keysOnly = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        bare[r] = bare(predictor, input, batchSize);
        checked[r] = pipeline(spec, input, batchSize, true);
        unchecked[r] = pipeline(spec, input, batchSize, false);
        keysOnly[r] = keysPipeline(spec, input.size(), batchSize);
        System.out.printf(
            Locale.ROOT,
            "round %d: bare %.1f chunks/s, RunInference %.1f (DirectRunner checks on), %.1f (off),"
                + " %.1f (keys-only source, checks off)%n",
            r,
            bare[r],
            checked[r],
            unchecked[r],
            keysOnly[r]);
      }
      double b = median(bare);
      System.out.printf(
          Locale.ROOT,
          "median: bare %.1f chunks/s; RunInference/bare = %.3f (checks on), %.3f (checks off),"
              + " %.3f (keys-only source)%n",
          b,
          median(checked) / b,
          median(unchecked) / b,
          median(keysOnly) / b);
    }
  }

  /** Chunks/s of a plain loop over fixed batches of the input. */
  static double bare(Predictor<float[], float[]> predictor, List<KV<String, float[]>> input, int n)
      throws Exception {
    long t0 = System.nanoTime();
    long results = 0;
    for (int start = 0; start < input.size(); start += n) {
      List<float[]> batch = new ArrayList<>(n);
      for (KV<String, float[]> kv : input.subList(start, Math.min(start + n, input.size()))) {
        batch.add(kv.getValue());
      }
      results += predictor.batchPredict(batch).size();
    }
    if (results != input.size()) {
      throw new IllegalStateException("bare loop returned " + results + " results");
    }
    return input.size() / ((System.nanoTime() - t0) / 1e9);
  }

  /** Chunks/s of a DirectRunner pipeline: Create -> RunInference -> Count. */
  static double pipeline(
      ModelSpec<float[], float[]> spec, List<KV<String, float[]>> input, int n, boolean checks) {
    DirectOptions opts = PipelineOptionsFactory.create().as(DirectOptions.class);
    opts.setRunner(DirectRunner.class);
    opts.setTargetParallelism(1);
    opts.setEnforceImmutability(checks);
    opts.setEnforceEncodability(checks);
    Pipeline p = Pipeline.create(opts);
    p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), FloatArrayCoder.of())))
        .apply(RunInference.of(spec, FloatArrayCoder.of()).withBatchSize(n))
        .get(RunInference.<float[]>results())
        .apply(Count.<InferenceResult<float[]>>globally());
    long t0 = System.nanoTime();
    PipelineResult result = p.run();
    result.waitUntilFinish();
    double rate = input.size() / ((System.nanoTime() - t0) / 1e9);
    long inferred = 0;
    DistributionResult sizes = DistributionResult.IDENTITY_ELEMENT;
    var q =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(RunInference.class))
                    .build());
    for (MetricResult<Long> c : q.getCounters()) {
      if (c.getName().getName().equals("inferences")) {
        inferred += c.getAttempted();
      }
    }
    for (MetricResult<DistributionResult> d : q.getDistributions()) {
      if (d.getName().getName().equals("batch_size")) {
        sizes = d.getAttempted();
      }
    }
    if (inferred != input.size()) {
      throw new IllegalStateException("pipeline inferred " + inferred + " of " + input.size());
    }
    System.out.printf(
        Locale.ROOT, "  pipeline batches=%d mean size %.1f%n", sizes.getCount(), sizes.getMean());
    return rate;
  }

  /** Like {@link #pipeline} but the source is keys and the audio is looked up in memory. */
  static double keysPipeline(ModelSpec<float[], float[]> spec, int chunks, int n) {
    DirectOptions opts = PipelineOptionsFactory.create().as(DirectOptions.class);
    opts.setRunner(DirectRunner.class);
    opts.setTargetParallelism(1);
    opts.setEnforceImmutability(false);
    opts.setEnforceEncodability(false);
    Pipeline p = Pipeline.create(opts);
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      keys.add(i);
    }
    p.apply(Create.of(keys))
        .apply(org.apache.beam.sdk.transforms.ParDo.of(new LookupFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), FloatArrayCoder.of()))
        .apply(RunInference.of(spec, FloatArrayCoder.of()).withBatchSize(n))
        .get(RunInference.<float[]>results())
        .apply(Count.<InferenceResult<float[]>>globally());
    long t0 = System.nanoTime();
    p.run().waitUntilFinish();
    return chunks / ((System.nanoTime() - t0) / 1e9);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}

package io.beamline.models.bench;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.models.birdcall.BirdCallFeatures;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.inference.FloatArrayCoder;
import io.beamline.models.inference.InferenceResult;
import io.beamline.models.inference.ModelSpec;
import io.beamline.models.inference.RunInference;
import io.beamline.transforms.audio.BirdCallSynth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * batchPredict} of the same predictor setup on the same batches, in one JVM, on the CPU.
 *
 * <p>Both sides start from the same chunk WAV files on disk (3 s, 28 kHz, 32-bit float, as {@code
 * beamline infer chunk} writes them) and do the same work per chunk: read the file, compute the
 * log-mel features and run the bundled bird-call CNN, all inside {@code batchPredict} through
 * {@link io.beamline.models.birdcall.BirdCallFileTranslator}. The bare loop walks the files in
 * batches of the batch size; the pipeline gets {@code (chunk id, path)} pairs from {@code Create}
 * and batches them itself. The DirectRunner runs one worker thread ({@code targetParallelism=1}),
 * like the bare loop, and PyTorch one intra-op thread on both sides.
 *
 * <p>Pipeline variants per round: {@code bundle} (batches formed within bundles, the default),
 * {@code sharded} ({@code withShards(1)}: grouped first, so batches are full), and {@code sharded}
 * with the DirectRunner's immutability and encodability checks on. Each side is warmed up once,
 * then measured {@code rounds} times in a rotating order; ratios of the medians and of the best
 * runs (load from other processes only ever slows a run down) are reported, per wall-clock second
 * and per second of the JVM's CPU time (all threads: the runner's, the GC's, PyTorch's). On a
 * shared machine the CPU-time ratio is the steadier one: other processes' load stretches wall time
 * but not the CPU time this JVM spends.
 *
 * <p>What the ratio does not hide: each pipeline run has a fixed cost (building and validating the
 * graph, starting the runner's threads, deserialising DoFns and opening their predictors) that the
 * bare loop does not pay, so the ratio grows with the number of chunks per run.
 *
 * <p>Arguments: {@code [chunks=384] [batchSize=32] [rounds=3]}. Run with {@code
 * bench/infer-inference.sh}.
 */
public final class InferenceBench {
  private InferenceBench() {}

  /** Chunks per wall-clock second and per second of this JVM's CPU time (all its threads). */
  record Rate(double wall, double cpu) {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** Wall and CPU clocks at a point in time. */
  record Clock(long wallNanos, long cpuNanos) {
    static Clock now() {
      return new Clock(System.nanoTime(), OS.getProcessCpuTime());
    }

    Rate rate(int items) {
      Clock end = now();
      return new Rate(
          items / ((end.wallNanos - wallNanos) / 1e9), items / ((end.cpuNanos - cpuNanos) / 1e9));
    }
  }

  public static void main(String[] args) throws Exception {
    int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 384;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;

    Path root = Files.createTempDirectory("infer-bench");
    Path chunkDir = Files.createDirectories(root.resolve("chunks"));
    List<KV<String, String>> input = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      String id = String.format(Locale.ROOT, "chunk-%05d", i);
      Path f = chunkDir.resolve(id + ".wav");
      float[] samples =
          BirdCallSynth.segment(
                  BirdCallModel.LABELS.get(i % 4), 3.0, BirdCallFeatures.SAMPLE_RATE, 100 + i)
              .samples();
      WavWriter.write(
          f, Audio.of(BirdCallFeatures.SAMPLE_RATE, new float[][] {samples}), WavEncoding.FLOAT_32);
      input.add(KV.of(id, f.toString()));
    }
    ModelSpec<String, float[]> spec =
        BirdCallModel.fileSpec(BirdCallModel.bundled(root.resolve("model-cache")));

    System.out.printf(
        Locale.ROOT,
        "chunks=%d batch=%d rounds=%d cores=%d torch_threads=%s (chunk files under %s)%n",
        chunks,
        batchSize,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"),
        chunkDir);

    try (ZooModel<String, float[]> model = spec.load(Device.cpu());
        Predictor<String, float[]> predictor = model.newPredictor()) {
      // Warm-up of every variant: the JIT compiles each one's paths before anything is measured.
      bare(predictor, input, batchSize);
      pipeline(spec, input, batchSize, 1, false); // also loads the shared model, once
      pipeline(spec, input, batchSize, 0, false);
      pipeline(spec, input, batchSize, 1, true);
      Rate[] bare = new Rate[rounds];
      Rate[] bundle = new Rate[rounds];
      Rate[] sharded = new Rate[rounds];
      Rate[] checked = new Rate[rounds];
      for (int r = 0; r < rounds; r++) {
        // Rotate the order each round so that no variant always runs first (or last) in a round.
        for (int k = 0; k < 4; k++) {
          switch ((r + k) % 4) {
            case 0 -> bare[r] = bare(predictor, input, batchSize);
            case 1 -> bundle[r] = pipeline(spec, input, batchSize, 0, false);
            case 2 -> sharded[r] = pipeline(spec, input, batchSize, 1, false);
            default -> checked[r] = pipeline(spec, input, batchSize, 1, true);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "round %d, chunks per wall s (per CPU s): bare %.1f (%.1f); RunInference bundle %.1f"
                + " (%.1f), sharded %.1f (%.1f), sharded with DirectRunner checks %.1f (%.1f)%n",
            r,
            bare[r].wall(),
            bare[r].cpu(),
            bundle[r].wall(),
            bundle[r].cpu(),
            sharded[r].wall(),
            sharded[r].cpu(),
            checked[r].wall(),
            checked[r].cpu());
      }
      for (boolean best : new boolean[] {false, true}) {
        for (boolean cpu : new boolean[] {false, true}) {
          double b = stat(bare, cpu, best);
          System.out.printf(
              Locale.ROOT,
              "%s per %s second: bare %.1f chunks/s; RunInference/bare = %.3f (bundle), %.3f"
                  + " (sharded), %.3f (sharded, checks on)%n",
              best ? "best" : "median",
              cpu ? "CPU" : "wall-clock",
              b,
              stat(bundle, cpu, best) / b,
              stat(sharded, cpu, best) / b,
              stat(checked, cpu, best) / b);
        }
      }
    }
  }

  /** Chunks/s of a plain loop over fixed batches of the files. */
  static Rate bare(Predictor<String, float[]> predictor, List<KV<String, String>> input, int n)
      throws Exception {
    Clock t0 = Clock.now();
    long results = 0;
    for (int start = 0; start < input.size(); start += n) {
      List<String> batch = new ArrayList<>(n);
      for (KV<String, String> kv : input.subList(start, Math.min(start + n, input.size()))) {
        batch.add(kv.getValue());
      }
      results += predictor.batchPredict(batch).size();
    }
    if (results != input.size()) {
      throw new IllegalStateException("bare loop returned " + results + " results");
    }
    return t0.rate(input.size());
  }

  /** Chunks/s of a DirectRunner pipeline: Create -> RunInference -> Count, one worker thread. */
  static Rate pipeline(
      ModelSpec<String, float[]> spec,
      List<KV<String, String>> input,
      int n,
      int shards,
      boolean checks) {
    DirectOptions opts = PipelineOptionsFactory.create().as(DirectOptions.class);
    opts.setRunner(DirectRunner.class);
    opts.setTargetParallelism(1);
    opts.setEnforceImmutability(checks);
    opts.setEnforceEncodability(checks);
    Clock t0 = Clock.now();
    Pipeline p = Pipeline.create(opts);
    p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply(RunInference.of(spec, FloatArrayCoder.of()).withBatchSize(n).withShards(shards))
        .get(RunInference.<float[]>results())
        .apply(Count.<InferenceResult<float[]>>globally());
    PipelineResult result = p.run();
    result.waitUntilFinish();
    Rate rate = t0.rate(input.size());
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
        Locale.ROOT,
        "  shards=%d checks=%s: batches=%d mean size %.1f%n",
        shards,
        checks,
        sizes.getCount(),
        sizes.getMean());
    return rate;
  }

  /** The median or the best (highest) rate: load from other processes only ever slows a run. */
  private static double stat(Rate[] rates, boolean cpu, boolean best) {
    double[] s = new double[rates.length];
    for (int i = 0; i < rates.length; i++) {
      s[i] = cpu ? rates[i].cpu() : rates[i].wall();
    }
    Arrays.sort(s);
    if (best) {
      return s[s.length - 1];
    }
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}

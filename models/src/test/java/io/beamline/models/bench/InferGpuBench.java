package io.beamline.models.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.cuda.CudaUtils;
import io.beamline.models.birdcall.BirdCallBatchTranslator;
import io.beamline.models.birdcall.BirdCallFeatures;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.inference.InferenceWorker;
import io.beamline.models.inference.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Segments (3 s chunks) per second of inference at fixed batch shapes, on GPU 0 when PyTorch sees a
 * GPU, else on the CPU, for the bundled bird-call model (raw audio in; its features computed in
 * Java by its translator) and for {@link BirdNetLike} (features in, about 0.85 GFLOPs per segment).
 * Each model and batch size is run two ways in this JVM on the same batches: through the project's
 * {@link InferenceWorker} (the path of {@code infer run}: model cache, worker slot, one fixed-shape
 * batch per call) and through a bare DJL {@code Predictor} loop of the same model and translator.
 * One warm-up call per side, then {@code rounds} alternating rounds; medians, their ratio, and the
 * peak RSS of each side (VmHWM, reset before each round where the kernel allows).
 *
 * <p>Arguments: {@code [segments=4096] [rounds=3] [batches=32,64,128,256]
 * [models=birdcall,birdnet-like]}. Run with {@code bench/infer-gpu.sh}.
 */
public final class InferGpuBench {
  /** Distinct inputs; the batches cycle through them (memory stays flat with the segment count). */
  private static final int POOL = 64;

  private InferGpuBench() {}

  public static void main(String[] args) throws Exception {
    int segments = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int[] batches =
        Arrays.stream((args.length > 2 ? args[2] : "32,64,128,256").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    List<String> models =
        Arrays.asList((args.length > 3 ? args[3] : "birdcall,birdnet-like").split(","));
    Engine engine = Engine.getEngine(ModelSpec.ENGINE);
    Device device = engine.getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
    System.out.printf(
        Locale.ROOT,
        "infer gpu bench: PyTorch %s on %s (%d GPU(s) visible), %d segments per side and round,"
            + " %d rounds after 1 warm-up call%n",
        engine.getVersion(),
        device,
        engine.getGpuCount(),
        segments,
        rounds);
    System.out.printf(
        Locale.ROOT,
        "  %-13s %6s %14s %14s %7s %10s %10s %9s%n",
        "model",
        "batch",
        "worker seg/s",
        "bare seg/s",
        "ratio",
        "worker RSS",
        "bare RSS",
        "GFLOP/s");
    Path work = Files.createTempDirectory("infer-gpu-bench");
    for (String model : models) {
      ModelSpec<float[][], float[]> spec;
      float[][] pool;
      double gflops;
      switch (model) {
        case "birdcall" -> {
          spec = BirdCallBatchTranslator.spec(BirdCallModel.bundled(work));
          pool = noise(POOL, BirdCallFeatures.SAMPLES, 1);
          gflops = Double.NaN;
        }
        case "birdnet-like" -> {
          spec = BirdNetLike.spec(BirdNetLike.save(work.resolve(BirdNetLike.NAME), 11));
          pool = noise(POOL, BirdNetLike.BANDS * BirdNetLike.FRAMES, 2);
          gflops = BirdNetLike.gflops();
        }
        default ->
            throw new IllegalArgumentException(
                "models: birdcall or birdnet-like, got '" + model + "'");
      }
      for (int b : batches) {
        row(model, spec, pool, b, segments, rounds, gflops, device);
      }
    }
  }

  private static void row(
      String model,
      ModelSpec<float[][], float[]> spec,
      float[][] pool,
      int batch,
      int segments,
      int rounds,
      double gflops,
      Device device)
      throws Exception {
    float[][] rows = new float[batch][];
    for (int i = 0; i < batch; i++) {
      rows[i] = pool[i % pool.length];
    }
    int calls = (segments + batch - 1) / batch;
    int n = calls * batch;
    double[] worker = new double[rounds];
    double[] bare = new double[rounds];
    long workerRss = 0;
    long bareRss = 0;
    try (InferenceWorker<float[][], float[]> w =
            InferenceWorker.open(spec, "bench-" + model, -1, 1, 0);
        ZooModel<float[][], float[]> zoo = spec.load(device);
        Predictor<float[][], float[]> p = zoo.newPredictor(spec.translator().get(), device)) {
      List<float[][]> one = Collections.singletonList(rows);
      int outputs = w.predict(one).get(0).length;
      if (p.predict(rows).length != outputs) {
        throw new IllegalStateException("the two paths return different output sizes");
      }
      for (int r = 0; r < rounds; r++) {
        resetPeakRss();
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
          w.predict(one);
        }
        worker[r] = n / ((System.nanoTime() - t0) / 1e9);
        workerRss = Math.max(workerRss, peakRssKb());

        resetPeakRss();
        t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
          p.predict(rows);
        }
        bare[r] = n / ((System.nanoTime() - t0) / 1e9);
        bareRss = Math.max(bareRss, peakRssKb());
      }
    }
    double mw = median(worker);
    double mb = median(bare);
    System.out.printf(
        Locale.ROOT,
        "  %-13s %6d %14.1f %14.1f %7.3f %7d MB %7d MB %9s%s%n",
        model,
        batch,
        mw,
        mb,
        mw / mb,
        workerRss / 1024,
        bareRss / 1024,
        Double.isNaN(gflops) ? "-" : String.format(Locale.ROOT, "%.0f", mw * gflops),
        device.isGpu() ? gpuMemory(device) : "");
    System.out.printf(
        Locale.ROOT,
        "    rounds: worker %s; bare %s (segments/s, %d segments each)%n",
        fmt(worker),
        fmt(bare),
        n);
  }

  private static float[][] noise(int count, int length, long seed) {
    Random rnd = new Random(seed);
    float[][] out = new float[count][length];
    for (float[] row : out) {
      for (int i = 0; i < length; i++) {
        row[i] = (float) (0.1 * rnd.nextGaussian());
      }
    }
    return out;
  }

  private static String gpuMemory(Device device) {
    return String.format(
        Locale.ROOT,
        " (GPU memory in use %d MB)",
        CudaUtils.getGpuMemory(device).getUsed() / (1024 * 1024));
  }

  /** Resets VmHWM (Linux: {@code echo 5 > /proc/self/clear_refs}); ignored where not allowed. */
  private static void resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux or not permitted: the peak is then the JVM's so far.
    }
  }

  /** Peak resident set of this process in kB (VmHWM), 0 where /proc is missing. */
  private static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  private static String fmt(double[] v) {
    List<String> s = new ArrayList<>();
    for (double x : v) {
      s.add(String.format(Locale.ROOT, "%.1f", x));
    }
    return String.join(", ", s);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}

package io.beamline.transforms.nmm.bench;

import io.beamline.io.bench.BenchRow;
import io.beamline.transforms.nmm.JansenRitKernel;
import io.beamline.transforms.nmm.JansenRitParameters;
import io.beamline.transforms.nmm.JansenRitSimulator;
import io.beamline.transforms.nmm.NaiveJansenRit;
import io.beamline.transforms.nmm.RegionConnectivity;
import io.beamline.transforms.nmm.SigmoidalJansenRitCoupling;
import io.beamline.transforms.nmm.TestNetworks;
import java.util.Locale;

/**
 * Throughput of the fast and the naive Jansen-Rit kernels (simulated seconds per wall-clock second)
 * for 76 and 998 regions with seeded random sparse connectivity and DeepSIF's preset. Not a test:
 * run it with {@code bench/regions-kernel.sh}. Performance is never asserted.
 *
 * <p>Each measurement warms up the same kernel instance first (JIT), then times a continued run;
 * the naive kernel is measured over fewer steps because it is O(N^2) exponentials per step. With
 * {@code rounds} > 1 each kernel is timed that many times, alternating, and the medians are
 * compared.
 */
public final class JansenRitBench {

  private JansenRitBench() {}

  /**
   * Arguments: {@code [rounds=1]}. Prints one line per (regions, kernel, round) and the fast/naive
   * ratio of the medians; reports a {@link BenchRow} per size.
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    double dt = JansenRitSimulator.DEFAULT_DT_MS;
    SigmoidalJansenRitCoupling coupling = SigmoidalJansenRitCoupling.tvbDefaults();
    int[] sizes = {76, 998};
    double[] densities = {0.2, 0.05};
    // Timed steps per kernel and size: enough for >= ~2 s of wall time on a laptop core.
    long[] fastSteps = {40_000, 8_000};
    long[] naiveSteps = {2_000, 40};
    System.out.printf(
        Locale.ROOT,
        "java %s, %d cpus, dt=%.1f ms (1 simulated s = %d steps)%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        dt,
        Math.round(1000.0 / dt));
    for (int s = 0; s < sizes.length; s++) {
      int n = sizes[s];
      RegionConnectivity net = TestNetworks.randomSparse(n, densities[s], 1234L);
      JansenRitParameters p = JansenRitParameters.deepSif(n, 0, 0);
      JansenRitKernel fast = JansenRitSimulator.create(p, coupling, net, dt, 1L);
      JansenRitKernel naive = new NaiveJansenRit(p, coupling, net, dt, 1L);
      System.out.printf(
          Locale.ROOT,
          "regions=%d non-zero weights=%d (density %.2f), history=%d steps%n",
          n,
          net.nonZeroCount(),
          densities[s],
          ((JansenRitSimulator) fast).historyLength());
      double[] fastRates = new double[rounds];
      double[] naiveRates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        // The warm-up repeats each round; it is what lets a continued run start from a warm JIT.
        fastRates[r] = measure("fast", fast, fastSteps[s] / 4, fastSteps[s], dt);
        naiveRates[r] = measure("naive", naive, Math.max(10, naiveSteps[s] / 4), naiveSteps[s], dt);
      }
      double fastRate = BenchRow.median(fastRates);
      double naiveRate = BenchRow.median(naiveRates);
      BenchRow.emit(
          "regions-kernel-" + n,
          "regions: Jansen-Rit kernel, " + n + " regions",
          "fast kernel",
          "naive kernel",
          "simulated s/wall s",
          fastRates,
          naiveRates);
      System.out.printf(Locale.ROOT, "  ratio fast/naive = %.1fx%n", fastRate / naiveRate);
    }
  }

  /** Warms up, then returns simulated seconds per wall second over {@code steps} steps. */
  private static double measure(
      String name, JansenRitKernel kernel, long warmupSteps, long steps, double dtMs) {
    double[] sink = new double[1];
    kernel.run(warmupSteps, 1000, (first, length, block) -> sink[0] += block[0][length - 1]);
    long t0 = System.nanoTime();
    kernel.run(steps, 1000, (first, length, block) -> sink[0] += block[0][length - 1]);
    double wall = (System.nanoTime() - t0) / 1e9;
    double simulated = steps * dtMs / 1000.0;
    double rate = simulated / wall;
    System.out.printf(
        Locale.ROOT,
        "  %-5s %8.3f sim-s in %7.3f wall-s -> %10.4f sim-s/wall-s (checksum %.3f)%n",
        name,
        simulated,
        wall,
        rate,
        sink[0]);
    return rate;
  }
}

package io.beamline.pipelines.regions;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One-line progress of the regions pipeline, meant for stderr: a line per region step ({@code
 * region 3 (4/10) iteration 0: simulate 20 s ... spikes 41 ... clips written (3.20 s)}) and a line
 * with a bar when a region ends ({@code region 3 (4/10) succeeded in 9.61 s [########------------]
 * 4/10 regions done}). Each line is printed whole, so regions running in parallel do not garble
 * each other. The bar counts the regions finished in this JVM for this run: all of them on the
 * DirectRunner or Spark in local mode, the executor's own share on a cluster.
 */
final class RegionProgress {
  /** Regions finished per run key, in this JVM. */
  private static final ConcurrentHashMap<String, AtomicInteger> FINISHED =
      new ConcurrentHashMap<>();

  static final int BAR_WIDTH = 20;

  private final PrintStream out;
  private final String run;
  private final int first;
  private final int count;

  /**
   * @param run a key unique to the run (the bar's count is kept per key)
   * @param first the run's first region
   * @param count the run's number of regions
   */
  RegionProgress(PrintStream out, String run, int first, int count) {
    this.out = out;
    this.run = run;
    this.first = first;
    this.count = count;
  }

  private String prefix(int region) {
    return "region " + region + " (" + (region - first + 1) + "/" + count + ")";
  }

  /** One simulate-and-extract step of {@code region} has written its clips. */
  void step(int region, int iteration, double simulatedSeconds, int spikes, double wallSeconds) {
    out.println(
        String.format(
            Locale.ROOT,
            "%s iteration %d: simulate %.0f s ... spikes %d ... clips written (%.2f s)",
            prefix(region),
            iteration,
            simulatedSeconds,
            spikes,
            wallSeconds));
  }

  /**
   * {@code region} ended with {@code status} (succeeded, skipped or failed, with {@code error} when
   * failed).
   */
  void finished(int region, String status, double seconds, String error) {
    int done = FINISHED.computeIfAbsent(run, k -> new AtomicInteger()).incrementAndGet();
    out.println(
        String.format(
            Locale.ROOT,
            "%s %s in %.2f s%s %s %d/%d regions done",
            prefix(region),
            status,
            seconds,
            error == null ? "" : ": " + error,
            bar(done, count, BAR_WIDTH),
            done,
            count));
  }

  /** {@code [####----]}: {@code done} of {@code total} in {@code width} characters. */
  static String bar(int done, int total, int width) {
    int filled = total <= 0 ? width : (int) Math.min(width, (long) done * width / total);
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
  }
}

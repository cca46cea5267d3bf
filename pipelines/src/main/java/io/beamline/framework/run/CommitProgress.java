package io.beamline.framework.run;

import io.beamline.framework.RunnerNames;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A run's progress line on the driver's stderr, counted from what is committed: the commit records
 * the run has written so far (successes and failures), read where the command runs, so it moves on
 * a cluster too, where the items run in executors whose own output goes to their logs. Redrawn in
 * place on a terminal; without one, a line per tenth of the work.
 */
public final class CommitProgress {
  private final String name;
  private final String unit;
  private final LongSupplier done;
  private final int total;
  private final PrintStream err;
  private final boolean console = System.console() != null;
  private final long t0 = System.nanoTime();
  private volatile boolean running = true;
  private Thread thread;
  private long lastShown = -1;

  /**
   * @param name what runs, e.g. {@code infer run}
   * @param unit the items' name, e.g. {@code chunks}
   * @param done how many items have ended
   * @param total how many items the run has to do
   */
  private CommitProgress(String name, String unit, LongSupplier done, int total, PrintStream err) {
    this.name = name;
    this.unit = unit;
    this.done = done;
    this.total = total;
    this.err = err;
  }

  /**
   * The progress of the items committed under {@code records} (an {@link ItemCommits} directory)
   * from now on.
   */
  public static CommitProgress ofRecords(
      String name, String unit, Path records, int total, PrintStream err) {
    return ofRecords(name, unit, records, f -> true, total, err);
  }

  /**
   * The progress of the items committed under {@code records} from now on, counting only the
   * records whose file name {@code counted} accepts (a directory may hold records of other items).
   */
  public static CommitProgress ofRecords(
      String name,
      String unit,
      Path records,
      Predicate<String> counted,
      int total,
      PrintStream err) {
    long since = System.currentTimeMillis();
    return new CommitProgress(name, unit, () -> recordsSince(records, since, counted), total, err);
  }

  /**
   * Whether the run's workers are other JVMs than this one: the SparkRunner with a master that is
   * not {@code local[...]} (from {@code spark-submit --master}, which wins, else {@code
   * --sparkMaster}). Their own console output then goes to the executors' logs, and the driver
   * shows progress from the commit records instead.
   */
  public static boolean workersElsewhere(PipelineOptions o) {
    if (!RunnerNames.is(o, RunnerNames.SPARK)) {
      return false;
    }
    String master = System.getProperty("spark.master");
    if (master == null) {
      try {
        Class<? extends PipelineOptions> spark =
            Class.forName("org.apache.beam.runners.spark.SparkPipelineOptions")
                .asSubclass(PipelineOptions.class);
        master = (String) spark.getMethod("getSparkMaster").invoke(o.as(spark));
      } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
        return false;
      }
    }
    return master != null && !master.startsWith("local");
  }

  /** Starts redrawing the line every 500 ms; returns this. */
  public CommitProgress start() {
    thread = new Thread(this::loop, name.replace(' ', '-') + "-progress");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void loop() {
    while (running) {
      show(false);
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The line for {@code n} of {@code total} items after {@code seconds}. */
  public static String line(String name, String unit, long n, int total, double seconds) {
    int width = 30;
    int filled = total == 0 ? width : (int) Math.min(width, n * width / total);
    return String.format(
        Locale.ROOT,
        "%s [%s%s] %d/%d %s %3d%% %.2f %s/s",
        name,
        "#".repeat(filled),
        ".".repeat(width - filled),
        n,
        total,
        unit,
        total == 0 ? 100 : n * 100 / total,
        seconds > 0 ? n / seconds : 0.0,
        unit);
  }

  private synchronized void show(boolean last) {
    long n = Math.min(total, done.getAsLong());
    // Without a terminal, print a line per tenth of the work instead of redrawing one.
    long step = console ? n : (total == 0 ? n : n * 10 / Math.max(1, total));
    if (step == lastShown && !(last && console)) {
      return;
    }
    lastShown = step;
    String l = line(name, unit, n, total, (System.nanoTime() - t0) / 1e9);
    if (console) {
      err.print("\r" + l + (last ? "\n" : ""));
    } else {
      err.println(l);
    }
    err.flush();
  }

  /** Stops the line after drawing it a last time. */
  public void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(2000);
    show(true);
  }

  /**
   * How many commit records under {@code records} whose name {@code counted} takes were written at
   * or after {@code sinceMillis} (epoch ms): the items this run has ended, successes and failures,
   * as committed. 0 while the directory does not exist yet.
   */
  static long recordsSince(Path records, long sinceMillis, Predicate<String> counted) {
    if (!Files.isDirectory(records)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(records)) {
      return s.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && !n.startsWith(".") && counted.test(n);
              })
          .filter(p -> modifiedMillis(p) >= sinceMillis)
          .count();
    } catch (IOException | UncheckedIOException e) {
      // A record renamed into place while the walk lists its directory: count it next time.
      return 0;
    }
  }

  private static long modifiedMillis(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return -1;
    }
  }
}

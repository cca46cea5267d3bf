package io.beamline.pipelines.constellation;

import io.beamline.framework.run.CommitRecord;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a constellation run shows a person on the terminal (stderr): a progress line while it runs
 * (samples ingested, read back from Kafka and synced onto the session grid, each per second) and
 * one paragraph when the session is committed (files written, drops, alignment error).
 *
 * <p>The stages add to the run's {@link Progress} counters in this JVM (the DirectRunner's and a
 * local Spark master's workers run here); on a cluster the workers count in their own JVMs, so only
 * the ingest figure moves here, and Beam's metrics ({@code metrics.json}, {@code --metrics-port})
 * stay the complete record. On a terminal the line is redrawn in place every second; otherwise a
 * line is printed every {@value #LOG_EVERY_S} seconds, so logs captured from a batch job stay
 * short.
 */
final class ConstellationConsole implements AutoCloseable {
  private static final long LOG_EVERY_S = 5;
  private static final long SAMPLE_EVERY_MS = 250;
  private static final ConcurrentMap<String, Progress> RUNS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, ConstellationConsole> LIVE = new ConcurrentHashMap<>();

  /** The counters of one run, by run id; the stages add to them. */
  /** Streaming: the outputs each window gets (sync report, Parquet file, shard). */
  static final int WINDOW_OUTPUTS = 3;

  static final class Progress {
    /** Samples handed to Kafka by the ingest stage (or generated, with {@code --no-kafka}). */
    final AtomicLong ingested = new AtomicLong();

    /** Samples decoded from Kafka records by the read stage. */
    final AtomicLong read = new AtomicLong();

    /** Samples the sync stage placed on the session grid from packets received (gaps excluded). */
    final AtomicLong synced = new AtomicLong();

    /** Streams the sync stage has aligned (batch). */
    final AtomicLong aligned = new AtomicLong();

    /** Output files (or images) the writers have finished (batch). */
    final AtomicLong written = new AtomicLong();

    /** Streaming: window outputs (report, Parquet file, shard: three per window) in place. */
    final AtomicLong windowOutputs = new AtomicLong();

    /** Streaming: lag of the latest window output behind its window's close, ms (-1: none). */
    final AtomicLong lastLagMs = new AtomicLong(-1);

    /** Streaming: the largest such lag so far, ms. */
    final AtomicLong maxLagMs = new AtomicLong(-1);
  }

  /** The counters of run {@code runId} in this JVM (created on first use). */
  static Progress progress(String runId) {
    return RUNS.computeIfAbsent(runId, k -> new Progress());
  }

  private final String runId;
  private final PrintStream out;
  private final boolean terminal;
  private final boolean kafka;
  private final int streams;
  private final long outputs;
  private final long start = System.nanoTime();
  private final Thread ticker;
  private final Rate ingestedRate = new Rate();
  private final Rate readRate = new Rate();
  private final Rate syncedRate = new Rate();
  private volatile boolean closed;

  /**
   * The rate of one counter while it moved: its value over the time from the last sample before it
   * started to the sample where it last changed, so a stage that has finished keeps showing its own
   * throughput rather than a figure diluted by the stages after it.
   */
  private static final class Rate {
    private long startNs = -1;
    private long lastNs;
    private long lastValue;
    private long previousSampleNs;

    synchronized void sample(long value, long nowNs) {
      if (value != lastValue) {
        if (startNs < 0) {
          startNs = previousSampleNs;
        }
        lastNs = nowNs;
        lastValue = value;
      }
      previousSampleNs = nowNs;
    }

    synchronized double perSecond() {
      if (startNs < 0) {
        return 0;
      }
      return lastValue / Math.max(SAMPLE_EVERY_MS / 1e3, (lastNs - startNs) / 1e9);
    }
  }

  private ConstellationConsole(
      String runId, PrintStream out, boolean terminal, boolean kafka, int streams, long outputs) {
    this.runId = runId;
    this.out = out;
    this.terminal = terminal;
    this.kafka = kafka;
    this.streams = streams;
    this.outputs = outputs;
    this.ticker = new Thread(this::tick, "constellation-progress");
    sample();
    this.ticker.setDaemon(true);
  }

  /**
   * Starts printing run {@code runId}'s progress on {@code out}.
   *
   * @param kafka whether the run goes through Kafka (then the read figure is shown)
   * @param streams how many sensor streams the session has (0: not shown)
   * @param outputs how many output files the run writes (0: not shown)
   */
  static ConstellationConsole start(
      String runId, PrintStream out, boolean kafka, int streams, long outputs) {
    ConstellationConsole c =
        new ConstellationConsole(runId, out, System.console() != null, kafka, streams, outputs);
    progress(runId);
    LIVE.put(runId, c);
    c.ticker.start();
    return c;
  }

  /** Closes run {@code runId}'s console if it is still printing. */
  static void stop(String runId) {
    ConstellationConsole c = LIVE.get(runId);
    if (c != null) {
      c.close();
    }
  }

  private void tick() {
    long printEvery = TimeUnit.SECONDS.toMillis(terminal ? 1 : LOG_EVERY_S) / SAMPLE_EVERY_MS;
    try {
      for (long n = 1; !closed; n++) {
        TimeUnit.MILLISECONDS.sleep(SAMPLE_EVERY_MS);
        sample();
        if (!closed && n % printEvery == 0) {
          print(false);
        }
      }
    } catch (InterruptedException e) {
      // Stopped.
    }
  }

  private void sample() {
    Progress p = progress(runId);
    long now = System.nanoTime();
    ingestedRate.sample(p.ingested.get(), now);
    readRate.sample(p.read.get(), now);
    syncedRate.sample(p.synced.get(), now);
  }

  private synchronized void print(boolean last) {
    if (last) {
      sample();
    }
    String line = line();
    if (terminal) {
      out.print("\r" + line + (last ? "\n" : "\u001b[K"));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** The progress line, e.g. {@code constellation: 3.0 s, ingested 120,000 samples (40,000/s)}. */
  String line() {
    Progress p = progress(runId);
    double s = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    StringBuilder b = new StringBuilder("constellation: ");
    b.append(String.format(Locale.ROOT, "%.1f s", s));
    b.append(", ingested ").append(count(p.ingested.get(), ingestedRate));
    if (kafka) {
      b.append(", read ").append(count(p.read.get(), readRate));
    }
    b.append(", synced ").append(count(p.synced.get(), syncedRate));
    if (streams > 0 && p.aligned.get() <= streams) {
      b.append(String.format(Locale.ROOT, " (%d of %d streams)", p.aligned.get(), streams));
    }
    if (outputs > 0) {
      b.append(String.format(Locale.ROOT, ", written %d of %d outputs", p.written.get(), outputs));
    }
    if (p.lastLagMs.get() >= 0) {
      b.append(
          String.format(
              Locale.ROOT,
              ", windows written %d (lag %.1f s, max %.1f s)",
              p.windowOutputs.get() / WINDOW_OUTPUTS,
              p.lastLagMs.get() / 1e3,
              p.maxLagMs.get() / 1e3));
    }
    return b.toString();
  }

  private static String count(long n, Rate rate) {
    return String.format(Locale.ROOT, "%,d samples (%,.0f/s)", n, rate.perSecond());
  }

  /** Stops the line, printing it a last time; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ticker.interrupt();
    print(true);
    RUNS.remove(runId);
    LIVE.remove(runId, this);
  }

  /**
   * The paragraph printed once a session is committed, from its commit record (sizes of what was
   * committed, the sync figures recorded with it).
   */
  static String summary(CommitRecord r, Path outputDir, Path rawDir, Path goldDir) {
    Map<String, Object> d = r.details();
    long rawFiles = 0;
    long rawBytes = 0;
    long goldFiles = 0;
    long goldBytes = 0;
    for (CommitRecord.Output o : r.outputs()) {
      Path p = outputDir.resolve(o.path()).normalize();
      long files = o.files() == null ? 1 : o.files();
      if (p.equals(rawDir)) {
        rawFiles += files;
        rawBytes += o.size();
      } else if (p.equals(goldDir)) {
        goldFiles += files;
        goldBytes += o.size();
      }
    }
    StringBuilder b = new StringBuilder();
    b.append("constellation: session ")
        .append(r.item())
        .append(" committed by run ")
        .append(r.runId())
        .append(": ")
        .append(String.format(Locale.ROOT, "%d files (%s) in %s", rawFiles, mb(rawBytes), rawDir))
        .append(String.format(Locale.ROOT, " and %d (%s) in %s", goldFiles, mb(goldBytes), goldDir))
        .append(" (")
        .append(number(d.get("shards")))
        .append(asLong(d.get("shards")) == 1 ? " WebDataset shard" : " WebDataset shards")
        .append(Boolean.TRUE.equals(d.get("training_job")) ? ", training_job.json" : "")
        .append("). ");
    if (d.get("windows_reported") != null) {
      b.append(number(d.get("windows_reported")))
          .append(" windows reported, ")
          .append(number(d.get("samples")))
          .append(" samples on the session grid");
    } else {
      b.append(number(d.get("samples")))
          .append(" samples on the session grid from ")
          .append(number(d.get("streams")))
          .append(" streams");
    }
    long expected = asLong(d.get("packets_expected"));
    long dropped = asLong(d.get("dropped_packets"));
    b.append("; ")
        .append(String.format(Locale.ROOT, "%,d", dropped))
        .append(expected > 0 ? String.format(Locale.ROOT, " of %,d", expected) : "")
        .append(" packets dropped");
    if (expected > 0) {
      b.append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * dropped / expected));
    }
    b.append(", ").append(number(d.get("gap_samples"))).append(" samples marked as gaps");
    Object err = d.get("alignment_error_ms_max");
    if (err instanceof Number n) {
      b.append(
          String.format(
              Locale.ROOT,
              "; alignment error at most %.3f ms (%s)",
              n.doubleValue(),
              d.get("alignment_error_worst")));
    } else {
      b.append("; alignment error not measurable (too few packets)");
    }
    long rejected = asLong(d.get("records_rejected"));
    if (rejected > 0) {
      b.append(String.format(Locale.ROOT, "; %,d records rejected (see failures/)", rejected));
    }
    return b.append('.').toString();
  }

  private static String number(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : "?";
  }

  private static long asLong(Object v) {
    return v instanceof Number n ? n.longValue() : 0;
  }

  private static String mb(long bytes) {
    return bytes >= 1 << 20
        ? String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0)
        : String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
  }
}

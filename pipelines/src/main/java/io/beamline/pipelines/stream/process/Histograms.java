package io.beamline.pipelines.stream.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.TimeFrame;
import io.beamline.io.swf.WorkflowMessage;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;

/**
 * Fast monitoring's histograms: per sampled STF a part of each kind ({@code multiplicity}: TFs by
 * hit count, {@value #MULTIPLICITY_BINS} bins, the last one counting every larger count; {@code
 * occupancy}: hits per detector), summed per run, kind and event-time window. Each pane is a {@code
 * histogram} message with {@code pane} {@code early} (the window so far, after each STF) or {@code
 * final} (once, when the window closes); the final pane is also the JSON file {@code
 * histograms/run=<run>/<kind>/<window start>.json}.
 *
 * <p><b>Restarts.</b> A window's panes are not the runner's in-memory sums: each sampled STF's
 * parts are written as {@code histograms/run=<run>/parts/<window start>/<sequence>.json} before the
 * STF is acknowledged, and every pane sums the parts on disk ({@link #fromParts}). A process killed
 * while a window is open loses the in-memory sum of the STFs it acknowledged (they are not read
 * again), but not their parts: the window's panes after the restart count every STF once (a
 * replayed STF rewrites its own part file).
 */
final class Histograms {
  /** Bins of the multiplicity histogram: hit counts 0..62 and one for 63 or more. */
  static final int MULTIPLICITY_BINS = 64;

  static final String MULTIPLICITY = "multiplicity";
  static final String OCCUPANCY = "occupancy";

  private Histograms() {}

  /**
   * A histogram of one kind over some STFs of one run.
   *
   * @param run the run
   * @param kind {@code multiplicity} or {@code occupancy}
   * @param bins the counts
   * @param stfCount STFs summed
   * @param source an {@code stf_gen} of those STFs (its envelope is answered)
   */
  record Part(long run, String kind, long[] bins, long stfCount, WorkflowMessage source)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code run/kind}, the key parts are summed under. */
    String key() {
      return run + "/" + kind;
    }
  }

  /** The two parts of the sampled TFs {@code frames} of one STF. */
  static List<Part> of(
      long run, int detectorCount, List<TimeFrame> frames, WorkflowMessage source) {
    long[] multiplicity = new long[MULTIPLICITY_BINS];
    long[] occupancy = new long[Math.max(1, detectorCount)];
    for (TimeFrame f : frames) {
      multiplicity[Math.min(f.hits(), MULTIPLICITY_BINS - 1)]++;
      for (int d : f.detector()) {
        if (d >= 0 && d < occupancy.length) {
          occupancy[d]++;
        }
      }
    }
    return List.of(
        new Part(run, MULTIPLICITY, multiplicity, 1, source),
        new Part(run, OCCUPANCY, occupancy, 1, source));
  }

  /** Sums parts of one key (bin by bin; a shorter one counts as zeros). */
  static final class Sum implements SerializableFunction<Iterable<Part>, Part> {
    private static final long serialVersionUID = 1L;

    @Override
    public Part apply(Iterable<Part> parts) {
      long[] bins = new long[0];
      long stfs = 0;
      Part first = null;
      for (Part p : parts) {
        if (first == null) {
          first = p;
        }
        if (p.bins().length > bins.length) {
          bins = Arrays.copyOf(bins, p.bins().length);
        }
        for (int i = 0; i < p.bins().length; i++) {
          bins[i] += p.bins()[i];
        }
        stfs += p.stfCount();
      }
      if (first == null) {
        throw new IllegalStateException("no histogram parts to sum");
      }
      return new Part(first.run(), first.kind(), bins, stfs, first.source());
    }
  }

  /** Directory of the parts of one window of run {@code run}. */
  static Path partsDir(Path root, long run, Instant windowStart) {
    return root.resolve("histograms")
        .resolve("run=" + run)
        .resolve("parts")
        .resolve(windowStart.toString().replace(":", ""));
  }

  /**
   * Writes the parts {@code parts} (one per kind) of STF {@code sequence} of run {@code run} into
   * its window's directory, renamed into place; not forced to disk, as the TF files they are made
   * from (a process crash leaves the file whole or absent).
   */
  static void writeParts(Path root, long run, int sequence, Instant windowStart, List<Part> parts)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run", run);
    m.put("sequence", sequence);
    for (Part p : parts) {
      m.put(p.kind(), Arrays.stream(p.bins()).boxed().toList());
    }
    byte[] bytes = (Json.line(m) + "\n").getBytes(StandardCharsets.UTF_8);
    AtomicFiles.writeUnforced(
        partsDir(root, run, windowStart).resolve(String.format("%06d.json", sequence)),
        out -> out.write(bytes));
  }

  /**
   * The histogram of {@code kind} of the window starting at {@code windowStart}, summed over the
   * parts on disk (one per STF sampled so far), or empty when there are none. A part file that
   * cannot be read (a machine crash left it empty: parts are not forced) is left out, counted by
   * {@code histogram_parts_unreadable}.
   */
  static Optional<Part> fromParts(
      Path root, long run, String kind, Instant windowStart, WorkflowMessage source)
      throws IOException {
    Path dir = partsDir(root, run, windowStart);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.endsWith(".json") && !AtomicFiles.isTemporary(name);
                  })
              .sorted()
              .toList();
    }
    long[] bins = new long[0];
    long stfs = 0;
    for (Path f : files) {
      JsonNode values;
      try {
        values = Json.read(f).get(kind);
      } catch (UncheckedIOException | IllegalArgumentException e) {
        values = null;
      }
      if (values == null || !values.isArray()) {
        UNREADABLE.inc();
        continue;
      }
      if (values.size() > bins.length) {
        bins = Arrays.copyOf(bins, values.size());
      }
      for (int i = 0; i < values.size(); i++) {
        bins[i] += values.get(i).asLong();
      }
      stfs++;
    }
    return stfs == 0 ? Optional.empty() : Optional.of(new Part(run, kind, bins, stfs, source));
  }

  private static final Counter UNREADABLE =
      Metrics.counter(StreamProcessPipeline.NAMESPACE, "histogram_parts_unreadable");

  /** Value of a histogram message's {@code pane} for the window so far. */
  static final String EARLY = "early";

  /** Value of a histogram message's {@code pane} for the closed window. */
  static final String FINAL = "final";

  /** Emits one pane's message; the final pane's histogram is also written as the window's file. */
  static final class EmitFn extends DoFn<KV<String, Part>, Outbound> {
    private final String root;
    private final String agent;

    EmitFn(String root, String agent) {
      this.root = root;
      this.agent = agent;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Part> e,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<Outbound> out)
        throws IOException {
      boolean early = pane.getTiming() == PaneInfo.Timing.EARLY;
      Instant start = Instant.ofEpochMilli(window.start().getMillis());
      Instant end = Instant.ofEpochMilli(window.end().getMillis());
      Part mine = e.getValue();
      // What the parts on disk hold: also the STFs acknowledged before a restart.
      Part p =
          fromParts(Paths.get(root), mine.run(), mine.kind(), start, mine.source()).orElse(mine);
      List<Long> bins = Arrays.stream(p.bins()).boxed().toList();
      if (!early) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("run", p.run());
        file.put("kind", p.kind());
        file.put("window_start", start.toString());
        file.put("window_end", end.toString());
        file.put("stf_count", p.stfCount());
        file.put("bins", bins);
        AtomicFiles.writeString(
            file(Paths.get(root), p.run(), p.kind(), start), Json.line(file) + "\n");
      }
      WorkflowMessage m =
          ProcessMessages.reply(p.source(), MsgType.HISTOGRAM, agent)
              .with("window_start", start)
              .with("window_end", end)
              .with("kind", p.kind())
              .with("bins", bins)
              .with("stf_count", p.stfCount())
              .with("pane", early ? EARLY : FINAL);
      out.output(ProcessMessages.toProcessing(m, null));
    }
  }

  /** The file of one window's histogram of {@code kind}. */
  static Path file(Path root, long run, String kind, Instant windowStart) {
    String name = windowStart.toString().replace(":", "") + ".json";
    return root.resolve("histograms").resolve("run=" + run).resolve(kind).resolve(name);
  }
}

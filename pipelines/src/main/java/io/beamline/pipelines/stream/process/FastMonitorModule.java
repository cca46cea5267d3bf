package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfFile;
import io.beamline.io.swf.StfHeader;
import io.beamline.io.swf.StfNames;
import io.beamline.io.swf.StfWriter;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.TimeFrame;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * Module {@code fast-monitor}: for each processed STF, the blocks {@link FastMonSampler} picks are
 * written as TF files ({@code fastmon/run=<run>/<stf>.tfFFFF-LLLL.tf}, the STF container holding
 * just those frames) and announced ({@code tf_file_registered}), cut into slices of {@code
 * sliceTfs} TFs ({@code slice}, status {@code queued}), and their hits fill the event-time windowed
 * {@link Histograms} (windows of {@code windowSeconds} on the STF start; an early pane of what a
 * window holds so far after each STF, the final pane once when the watermark passes its end; an STF
 * behind the watermark is left out of the histograms).
 *
 * <p>Output: per STF (processed or failed) one {@link Outbound} with its TF-file and slice messages
 * followed by its {@code stf_processed}, completing its {@code stf_gen}, so the STF's record is
 * acknowledged only once its sample is on disk and all its messages are sent; and the histogram
 * messages. Counters {@code tf_files}, {@code slices}, {@code fastmon_failed}.
 */
final class FastMonitorModule
    extends Module<FastMonitorModule.Config, PCollection<StfOutcome>, PCollection<Outbound>> {
  private static final long serialVersionUID = 1L;

  static final Port MESSAGES = Port.of("messages", Outbound.class);
  private static final TupleTag<Outbound> MESSAGES_TAG = MESSAGES.tag();
  private static final TupleTag<KV<String, Histograms.Part>> PARTS_TAG = new TupleTag<>("parts");

  /**
   * Settings of {@code fast-monitor}.
   *
   * @param root the pipeline's output root (TF files, histogram files)
   * @param agent this agent's name, on its messages
   * @param fraction share of each partition sampled, in (0, 1]
   * @param partitions parts each STF is split into, >= 1
   * @param seed seed of the block starts
   * @param sliceTfs TFs per slice, >= 1
   * @param windowSeconds histogram window length, >= 1
   */
  record Config(
      String root,
      String agent,
      double fraction,
      int partitions,
      long seed,
      int sliceTfs,
      long windowSeconds)
      implements ModuleConfig<FastMonitorModule>, java.io.Serializable {
    Config {
      if (root == null || agent == null) {
        throw new IllegalArgumentException("fast-monitor needs root and agent");
      }
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
      }
      if (partitions < 1 || sliceTfs < 1 || windowSeconds < 1) {
        throw new IllegalArgumentException(
            "partitions, sliceTfs and windowSeconds must be >= 1, got "
                + partitions
                + ", "
                + sliceTfs
                + ", "
                + windowSeconds);
      }
    }

    /** The histogram windows: fixed, {@code windowSeconds} long, on the STF start. */
    FixedWindows windows() {
      return FixedWindows.of(Duration.standardSeconds(windowSeconds));
    }

    @Override
    public FastMonitorModule toModule() {
      return new FastMonitorModule(this);
    }
  }

  private FastMonitorModule(Config config) {
    super("fast-monitor", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(ProcessStfsModule.OUTCOMES);
  }

  @Override
  public List<Port> outputs() {
    return List.of(MESSAGES);
  }

  @Override
  public PCollection<Outbound> expand(PCollection<StfOutcome> outcomes) {
    Config c = config();
    PCollectionTuple sampled =
        outcomes.apply(
            "SampleBlocks",
            ParDo.of(new SampleFn(c)).withOutputTags(MESSAGES_TAG, TupleTagList.of(PARTS_TAG)));
    sampled.get(MESSAGES_TAG).setCoder(SerializableCoder.of(Outbound.class));
    PCollection<Outbound> histograms =
        sampled
            .get(PARTS_TAG)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Histograms.Part.class)))
            .apply(
                "HistogramWindows",
                Window.<KV<String, Histograms.Part>>into(c.windows())
                    // An early pane after each STF (what the window holds so far), so the view
                    // follows the data within seconds instead of a window length; one final pane
                    // when the watermark passes the window's end, which alone writes the file.
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withEarlyFirings(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(Duration.ZERO)
                    .accumulatingFiredPanes())
            .apply("SumPerWindow", Combine.perKey(new Histograms.Sum()))
            .apply("EmitHistograms", ParDo.of(new Histograms.EmitFn(c.root(), c.agent())))
            .setCoder(SerializableCoder.of(Outbound.class))
            // The triggering goes too: Flatten wants one windowing strategy on all its inputs.
            .apply(
                "BackToGlobal",
                Window.<Outbound>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .discardingFiredPanes());
    return PCollectionList.of(sampled.get(MESSAGES_TAG))
        .and(histograms)
        .apply("AllMessages", Flatten.pCollections());
  }

  /** Samples one STF (TF files, slices, histogram parts) and emits its messages. */
  static final class SampleFn extends DoFn<StfOutcome, Outbound> {
    private final Config config;
    private final Counter tfFiles = Metrics.counter(StreamProcessPipeline.NAMESPACE, "tf_files");
    private final Counter slices = Metrics.counter(StreamProcessPipeline.NAMESPACE, "slices");
    private final Counter failed =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "fastmon_failed");

    SampleFn(Config config) {
      this.config = config;
    }

    @ProcessElement
    public void process(
        @Element StfOutcome o, @Timestamp org.joda.time.Instant time, MultiOutputReceiver out) {
      List<String> messages = new ArrayList<>();
      if (o.processed()) {
        // The window the runner assigns the STF's parts to: their files go under its start.
        Instant windowStart =
            Instant.ofEpochMilli(config.windows().assignWindow(time).start().getMillis());
        sample(o, windowStart, messages, out);
      }
      messages.add(
          WorkflowMessages.encodeString(
              ProcessMessages.stfProcessed(o, o.source(), config.agent())));
      out.get(MESSAGES_TAG)
          .output(
              new Outbound(
                  SwfTopics.PROCESSING,
                  Long.toString(o.run()),
                  messages,
                  o.ack(),
                  new StfAnswered(o.run(), o.sequence())));
    }

    /**
     * Writes the STF's TF files and histogram parts, adds their messages to {@code messages}, emits
     * its histogram parts.
     */
    private void sample(
        StfOutcome o, Instant windowStart, List<String> messages, MultiOutputReceiver out) {
      List<int[]> blocks =
          FastMonSampler.blocks(
              o.tfCount(),
              config.fraction(),
              config.partitions(),
              config.seed(),
              o.run(),
              o.sequence());
      Path dir = Paths.get(config.root()).resolve("fastmon").resolve("run=" + o.run());
      List<TimeFrame> sampled = new ArrayList<>();
      List<String> sample = new ArrayList<>();
      List<Histograms.Part> parts;
      int detectors;
      try (StfFile stf = StfFile.open(Path.of(o.path()))) {
        StfHeader h = stf.header();
        detectors = h.detectorCount();
        long sliceId = 0;
        for (int[] b : blocks) {
          List<TimeFrame> frames = stf.frames(b[0], b[1]);
          sampled.addAll(frames);
          String name = StfNames.tfFile(o.filename(), b[0], b[1]);
          StfHeader th =
              new StfHeader(
                  h.run(),
                  h.sequence(),
                  frames.size(),
                  h.startEpochNanos() + b[0] * h.tfDurationNanos(),
                  h.tfDurationNanos(),
                  h.detectorCount(),
                  h.seed());
          // Not forced to disk: a TF file is a sample made again, byte for byte, from its STF,
          // and seven synced writes per STF were most of process's cost. A process crash still
          // leaves whole files (rename); a machine crash may leave one incomplete.
          StfWriter.Written w = StfWriter.write(dir.resolve(name), th, frames, false);
          sample.add(tfFileRegistered(o, name, b, w.sizeBytes()));
          for (int[] s : FastMonSampler.slices(b[0], b[1], config.sliceTfs())) {
            sample.add(slice(o, ++sliceId, name, s));
          }
        }
        parts = Histograms.of(o.run(), detectors, sampled, o.source());
        Histograms.writeParts(Paths.get(config.root()), o.run(), o.sequence(), windowStart, parts);
      } catch (IOException | RuntimeException e) {
        // The STF is processed (its summary is committed); losing its sample only thins the
        // fast-monitoring view, which the counter shows.
        failed.inc();
        return;
      }
      messages.addAll(sample);
      tfFiles.inc(blocks.size());
      slices.inc(sample.size() - blocks.size());
      for (Histograms.Part p : parts) {
        out.get(PARTS_TAG).output(KV.of(p.key(), p));
      }
    }

    private String tfFileRegistered(StfOutcome o, String name, int[] b, long size) {
      WorkflowMessage m =
          ProcessMessages.reply(o.source(), MsgType.TF_FILE_REGISTERED, config.agent())
              .with("tf_filename", name)
              .with("stf_filename", o.filename())
              .with("tf_first", (long) b[0])
              .with("tf_last", (long) b[1])
              .with("tf_count", (long) (b[1] - b[0] + 1))
              .with("file_size_bytes", size)
              .with("status", "registered");
      return WorkflowMessages.encodeString(m);
    }

    private String slice(StfOutcome o, long id, String tfFile, int[] s) {
      WorkflowMessage m =
          ProcessMessages.reply(o.source(), MsgType.SLICE, config.agent())
              .with("slice_id", id)
              .with("tf_filename", tfFile)
              .with("tf_first", (long) s[0])
              .with("tf_last", (long) s[1])
              .with("tf_count", (long) (s[1] - s[0] + 1))
              .with("status", "queued");
      return WorkflowMessages.encodeString(m);
    }
  }
}

package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.FlagAlias;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.PlannedItems;
import io.beamline.framework.UserInputException;
import io.beamline.framework.module.Module;
import io.beamline.framework.run.ItemConfig;
import io.beamline.framework.run.Runs;
import io.beamline.io.failures.Failure;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.transforms.audio.Chunker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code beamline infer chunk}: WAV recordings to fixed-length chunks at the model's rate plus one
 * chunk manifest per recording, as BADC's {@code badc chunk} does before inference (seed 002).
 * Recordings are the parallel work items; each is chunked by {@link RecordingChunks}. The graph is
 * three modules: {@link ChunkRecordings} (chunk and commit each recording), {@link
 * ReadChunkCommits} (what the commit records say) and {@link WriteChunkOutputs} (chunk table and
 * failures), all configured by one {@link ChunkSettings}.
 *
 * <p>Inputs: every {@code *.wav} file (any case) under {@code --recordings}, found recursively
 * (symlinked directories are not entered), sorted by path; PCM 8/16/24/32-bit or float, mono or
 * multi-channel, any rate. Recording ids are file names without the extension; two files with the
 * same id are an input error. A file that resolves (through a symlink) outside {@code --recordings}
 * is refused as a failed recording.
 *
 * <p>Each recording is an item of the commit protocol ({@link
 * io.beamline.framework.run.ItemCommits}, pipeline {@code infer-chunk}, item = recording id).
 * Outputs under {@code <output-dir>}:
 *
 * <ul>
 *   <li>{@code chunks/<recording_id>/<chunk_id>.wav}: 32-bit float WAV at {@code --target-rate},
 *       every channel of the recording kept, {@code round(chunk_seconds * target_rate)} frames; the
 *       directory is replaced as a whole when a recording is chunked again;
 *   <li>{@code manifests/<recording_id>.csv}: the chunk manifest ({@link ChunkManifest});
 *   <li>{@code manifests/<recording_id>.chunk_status.json}: the seed's {@code status}: {@code
 *       in_progress} while chunking, {@code completed} (committed with the chunks and the
 *       manifest), or {@code failed} with a one-line {@code reason}; chunk counts, settings,
 *       timestamps;
 *   <li>{@code commits/infer-chunk/<recording_id>.json}: the commit record, written after the three
 *       outputs above are in place (or the failure record of a recording that failed);
 *   <li>{@code chunk_table/chunks-*.parquet}: every chunk of this run's recordings ({@link
 *       ChunkManifest#SCHEMA}), skipped ones included, read back from the committed manifests;
 *   <li>{@code chunk_failures/chunk-failures-*.jsonl}: one {@link Failure} per failure record of
 *       this run.
 * </ul>
 *
 * <p>A corrupt, truncated or non-WAV file fails only its own recording: the run ends {@code
 * partial} and the command exits with status 3, naming how many recordings failed. Re-running skips
 * recordings committed with the same settings from the same source file (path, size, modification
 * time) whose outputs are all present with their committed sizes; any other recording is chunked
 * again from the start. A run killed at any instant and run again gives every recording's chunks
 * exactly once, with the bytes of an uninterrupted run.
 *
 * <p>The seed's {@code --output DIR} is accepted as another name of {@code --output-dir DIR}.
 *
 * <pre>{@code
 * beamline infer chunk --recordings data/audio --output-dir out
 * beamline infer chunk --recordings data/audio --output data/datalad/bogus
 * beamline infer chunk --recordings data/audio --output-dir out --chunk-seconds 3 \
 *     --overlap-seconds 0.5 --target-rate 28000 --partial drop --runner=SparkRunner
 * }</pre>
 */
public final class InferChunkPipeline
    implements BeamlinePipeline<InferChunkPipeline.InferChunkOptions> {

  /**
   * Options of {@code beamline infer chunk}; {@code --output} is the seed's {@code --output-dir}.
   */
  @FlagAlias(flag = "--output", property = "outputDir")
  public interface InferChunkOptions extends BeamlineOptions {
    @Description("Directory of WAV recordings, searched recursively for *.wav")
    @Validation.Required
    String getRecordings();

    void setRecordings(String value);

    @Description("Chunk length in seconds, > 0 (HawkEars: 3)")
    @Default.Double(3.0)
    double getChunkSeconds();

    void setChunkSeconds(double value);

    @Description("Overlap between consecutive chunks in seconds, in [0, chunk-seconds)")
    @Default.Double(0.0)
    double getOverlapSeconds();

    void setOverlapSeconds(double value);

    @Description("Sample rate of the chunk files in Hz (the model's rate; HawkEars: 28000)")
    @Default.Integer(28_000)
    int getTargetRate();

    void setTargetRate(int value);

    @Description("Last chunk shorter than --chunk-seconds: pad (zero-padded, flagged) or drop")
    @Default.String("pad")
    String getPartial();

    void setPartial(String value);
  }

  @Override
  public String name() {
    return "infer-chunk";
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "chunk");
  }

  @Override
  public String summary() {
    return "WAV recordings -> chunks at the model's rate + chunk manifests and status per recording";
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of(
            "chunk-recordings", "chunk-seconds", "overlap-seconds", "target-rate", "partial")
        .asMap();
  }

  @Override
  public List<String> inputParameters() {
    return List.of("recordings");
  }

  @Override
  public PlannedItems plannedItems(InferChunkOptions o) {
    return InferChunkItems.of(o);
  }

  @Override
  public Class<InferChunkOptions> optionsClass() {
    return InferChunkOptions.class;
  }

  @Override
  public void validate(InferChunkOptions o) {
    double chunk = o.getChunkSeconds();
    double overlap = o.getOverlapSeconds();
    if (!(chunk > 0) || !Double.isFinite(chunk)) {
      throw new UserInputException("--chunk-seconds must be a number > 0, got " + chunk);
    }
    if (!(overlap >= 0) || !(overlap < chunk)) {
      throw new UserInputException(
          "--overlap-seconds must be in [0, --chunk-seconds " + chunk + "), got " + overlap);
    }
    if (o.getTargetRate() < 1 || o.getTargetRate() > 10_000_000) {
      throw new UserInputException(
          "--target-rate must be in [1, 10000000] Hz, got " + o.getTargetRate());
    }
    if (chunk * o.getTargetRate() >= Integer.MAX_VALUE) {
      throw new UserInputException(
          "--chunk-seconds " + chunk + " at --target-rate " + o.getTargetRate() + " is too long");
    }
    partial(o.getPartial());
    recordings(o);
  }

  static Chunker.Partial partial(String value) {
    if ("pad".equals(value)) {
      return Chunker.Partial.PAD;
    }
    if ("drop".equals(value)) {
      return Chunker.Partial.DROP;
    }
    throw new UserInputException("--partial must be pad or drop, got '" + value + "'");
  }

  /** The recordings directory, absolute. */
  static Path recordingsDir(InferChunkOptions o) {
    if (o.getRecordings() == null || o.getRecordings().isBlank()) {
      throw new UserInputException(
          "--recordings is required: give a directory of WAV files, e.g. --recordings data/audio");
    }
    Path dir = Paths.get(o.getRecordings()).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(
          "recordings directory not found: "
              + o.getRecordings()
              + " (--recordings); give a directory of WAV files");
    }
    return dir;
  }

  /**
   * The WAV files under {@code --recordings}, sorted by path, with unique recording ids; a
   * directory without any, or two files with the same id, is an input error.
   */
  static List<Path> recordings(InferChunkOptions o) {
    Path dir = recordingsDir(o);
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException(
          "cannot list --recordings " + o.getRecordings() + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new UserInputException(
          "no .wav files under --recordings " + o.getRecordings() + "; check the directory");
    }
    Map<String, Path> ids = new HashMap<>();
    for (Path f : files) {
      Path other = ids.putIfAbsent(RecordingChunks.recordingId(f), f);
      if (other != null) {
        throw new UserInputException(
            "recordings "
                + other
                + " and "
                + f
                + " have the same recording id '"
                + RecordingChunks.recordingId(f)
                + "'; rename one of them");
      }
    }
    return files;
  }

  /** {@code <output-dir>}, absolute. */
  static Path outputDir(InferChunkOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
  }

  /** How and where the recordings are chunked, resolved once from the options. */
  ChunkSettings settings(InferChunkOptions o) {
    // Runs sets the run id before building; a graph built on its own (tests) gets a fresh one.
    String runId = o.getRunId() == null ? Runs.newRunId(name()) : o.getRunId();
    return new ChunkSettings(
        recordingsDir(o).toString(),
        outputDir(o).toString(),
        name(),
        runId,
        o.getChunkSeconds(),
        o.getOverlapSeconds(),
        partial(o.getPartial()),
        o.getTargetRate(),
        ItemConfig.from(o));
  }

  @Override
  public void build(Pipeline p, InferChunkOptions o) {
    ChunkSettings chunking = settings(o);
    List<String> files = recordings(o).stream().map(Path::toString).toList();
    ChunkRecordings chunk = Module.from(new ChunkRecordings.Config(files, chunking));
    ReadChunkCommits readCommits = Module.from(new ReadChunkCommits.Config(chunking));
    WriteChunkOutputs write = Module.from(new WriteChunkOutputs.Config(chunking.outputDir()));

    p.apply(chunk).apply(readCommits).apply(write);
  }

  @Override
  public List<Path> inputFiles(InferChunkOptions o) {
    return recordings(o);
  }

  @Override
  public List<Path> outputRoots(InferChunkOptions o) {
    Path out = outputDir(o);
    return List.of(
        out.resolve("chunks"),
        out.resolve("manifests"),
        out.resolve("chunk_table"),
        out.resolve("chunk_failures"));
  }
}

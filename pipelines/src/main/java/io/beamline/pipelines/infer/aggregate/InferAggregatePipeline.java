package io.beamline.pipelines.infer.aggregate;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.UserInputException;
import io.beamline.framework.module.Module;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import io.beamline.pipelines.infer.formats.ReviewFormat;
import io.beamline.pipelines.infer.formats.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;

/**
 * {@code beamline infer aggregate}: the detections of one or many {@code beamline infer run}s
 * merged into one table, counted per label and time bucket, and packaged for a quick look, as
 * BADC's {@code badc infer aggregate} does (seed 002).
 *
 * <p>Input: {@code --input DIR}, the output directory of {@code infer run} (its {@code
 * detections/*.parquet}, searched recursively), or a directory holding detections Parquet files
 * directly. Every file must have the detection columns {@code recording_id, chunk_id, start_s,
 * end_s, label, confidence, model, model_version, worker, run_id}; {@code committed_utc} is read
 * when present; extra columns are ignored.
 *
 * <p>Each (recording, chunk, label) counts once: where several files or runs hold rows of the same
 * {@code (recording_id, chunk_id)}, the rows of the newest commit win as a whole set of labels
 * ({@link NewestDetections}): the one with the latest {@code committed_utc} (a file without that
 * column counts as committed at its modification time), then the greatest run id, then file path.
 *
 * <p>The merge and the counts are a Beam graph, so they run on the DirectRunner and the SparkRunner
 * alike: after the newest commit is chosen ({@link NewestDetections}), detections below {@code
 * --min-confidence} are dropped and counted ({@link CheckDetections}), the rest are written as one
 * table ({@link WriteAggregate}), and counted per label and bucket ({@link CountPerBucket}, ({@code
 * floor(start_s / (60 * bucket-minutes))}, time from the start of each recording). After the graph,
 * {@link #afterRun} packages the result. Outputs under {@code <output-dir>/aggregate/}:
 *
 * <ul>
 *   <li>{@code detections/detections-00000-of-00001.parquet}: the merged detections ({@link
 *       AggregateTables#DETECTIONS});
 *   <li>{@code detections_per_bucket/buckets-00000-of-00001.parquet}: {@link
 *       AggregateTables#BUCKETS};
 *   <li>{@code detections.duckdb}: a DuckDB database with tables {@code detections} and {@code
 *       detections_per_bucket} and views {@code label_summary} and {@code recording_summary};
 *   <li>{@code quicklook.csv}: one row per label, one column per bucket ({@code m<start minute>}),
 *       detection counts, plus a {@code total} column;
 *   <li>{@code quicklook.png}: the same counts as a line chart, one line per label;
 *   <li>{@code failures/aggregate-failures-*.jsonl}: detections with a missing value;
 *   <li>with {@code --export audacity,raven,csv}: {@code exports/<recording>.labels.txt}, {@code
 *       .selections.txt}, {@code .results.csv} per recording ({@link ReviewFormat}), written from
 *       the merged table after the graph.
 * </ul>
 *
 * <pre>{@code
 * beamline infer aggregate --input out --output-dir out --bucket-minutes 5 --min-confidence 0.7
 * duckdb out/aggregate/detections.duckdb "SELECT * FROM label_summary"
 * }</pre>
 */
public final class InferAggregatePipeline
    implements BeamlinePipeline<InferAggregatePipeline.InferAggregateOptions> {

  /** Options of {@code beamline infer aggregate}. */
  public interface InferAggregateOptions extends BeamlineOptions {
    @Description(
        "Output directory of 'beamline infer run' (holding detections/*.parquet), or a directory"
            + " of detections Parquet files")
    @Validation.Required
    String getInput();

    void setInput(String value);

    @Description("Width of a time bucket in minutes, > 0; time runs from each recording's start")
    @Default.Double(1.0)
    double getBucketMinutes();

    void setBucketMinutes(double value);

    @Description("Drop detections whose confidence is below this value, in [0, 1]")
    @Default.Double(0.0)
    double getMinConfidence();

    void setMinConfidence(double value);

    @Description(
        "Also write each recording's merged detections for review, into"
            + " <output-dir>/aggregate/exports/: comma-separated audacity (<recording>.labels.txt),"
            + " raven (<recording>.selections.txt), csv (<recording>.results.csv); overlapping"
            + " chunks of a label merged; default: none")
    String getExport();

    void setExport(String value);
  }

  @Override
  public String name() {
    return "infer-aggregate";
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "aggregate");
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of("count-per-bucket", "bucket-minutes", "min-confidence").asMap();
  }

  @Override
  public List<String> inputParameters() {
    return List.of("input");
  }

  @Override
  public String summary() {
    return "Detections Parquet -> merged table, counts per label and time bucket, DuckDB file,"
        + " quicklook CSV and PNG";
  }

  @Override
  public Class<InferAggregateOptions> optionsClass() {
    return InferAggregateOptions.class;
  }

  /**
   * The settings of one aggregation, resolved once from the options.
   *
   * @param files the detections files, local paths, sorted
   * @param minConfidence {@code --min-confidence}
   * @param bucketMinutes {@code --bucket-minutes}
   * @param aggregateDir {@code <output-dir>/aggregate}, absolute
   */
  record Settings(
      List<String> files, double minConfidence, double bucketMinutes, Path aggregateDir) {
    static Settings of(InferAggregateOptions o) {
      return new Settings(
          DetectionFiles.under(o.getInput()).stream().map(Path::toString).toList(),
          o.getMinConfidence(),
          o.getBucketMinutes(),
          InferAggregatePipeline.aggregateDir(o));
    }
  }

  @Override
  public void validate(InferAggregateOptions o) {
    double b = o.getBucketMinutes();
    if (!(b > 0) || !Double.isFinite(b)) {
      throw new UserInputException("--bucket-minutes must be a number > 0, got " + b);
    }
    double c = o.getMinConfidence();
    if (!(c >= 0 && c <= 1)) {
      throw new UserInputException("--min-confidence must be in [0, 1], got " + c);
    }
    ReviewFormat.parse(o.getExport(), "--export");
    for (Path f : DetectionFiles.under(o.getInput())) {
      DetectionFiles.checkColumns(f);
    }
  }

  /** {@code <output-dir>/aggregate}, absolute. */
  static Path aggregateDir(InferAggregateOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize().resolve("aggregate");
  }

  @Override
  public void build(Pipeline p, InferAggregateOptions o) {
    Settings s = Settings.of(o);
    NewestDetections newest = Module.from(new NewestDetections.Config(s.files()));
    CheckDetections check = Module.from(new CheckDetections.Config(s.minConfidence()));
    CountPerBucket count = Module.from(new CountPerBucket.Config(s.bucketMinutes() * 60.0));
    WriteAggregate write = Module.from(new WriteAggregate.Config(s.aggregateDir().toString()));

    PCollectionTuple checked = p.apply(newest).apply(check);
    PCollection<Row> detections = checked.get(CheckDetections.DETECTIONS.tag());
    PCollection<Row> buckets = detections.apply(count);
    PCollectionTuple.of(WriteAggregate.DETECTIONS.<Row>tag(), detections)
        .and(WriteAggregate.BUCKETS.<Row>tag(), buckets)
        .and(WriteAggregate.FAILURES.tag(), checked.get(CheckDetections.FAILURES.tag()))
        .apply(write);
  }

  @Override
  public void afterRun(InferAggregateOptions o, Path runDir, PipelineResult result)
      throws Exception {
    Path out = aggregateDir(o);
    List<Quicklook.Bucket> buckets = AggregateDatabase.write(out);
    AtomicFiles.writeString(
        out.resolve("quicklook.csv"), Quicklook.csv(buckets, o.getBucketMinutes()));
    AtomicFiles.write(
        out.resolve("quicklook.png"), s -> Quicklook.png(buckets, o.getBucketMinutes(), s));
    List<ReviewFormat> exports = ReviewFormat.parse(o.getExport(), "--export");
    if (!exports.isEmpty()) {
      exportReviewFiles(out, exports, o.getMinConfidence());
    }
  }

  /**
   * Writes the review files of every recording in the merged table the graph wrote (so only what it
   * committed) into {@code <aggregate>/exports/}.
   */
  static void exportReviewFiles(Path aggregate, List<ReviewFormat> exports, double minConfidence)
      throws IOException {
    List<Selection> selections = new ArrayList<>();
    Set<String> recordings = new TreeSet<>();
    List<Path> tables;
    try (Stream<Path> s = Files.list(aggregate.resolve("detections"))) {
      tables = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
    for (Path t : tables) {
      DetectionsTable.read(
          t,
          r -> {
            Selection s = Selection.ofDetection(r.values());
            selections.add(s);
            recordings.add(s.recordingId());
          });
    }
    ReviewFormat.export(
        aggregate.resolve("exports"), recordings, selections, exports, minConfidence);
  }

  @Override
  public List<Path> inputFiles(InferAggregateOptions o) {
    return DetectionFiles.under(o.getInput());
  }

  @Override
  public List<Path> outputRoots(InferAggregateOptions o) {
    return List.of(aggregateDir(o));
  }
}

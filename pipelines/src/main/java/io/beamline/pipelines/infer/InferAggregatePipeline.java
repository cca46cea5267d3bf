package io.beamline.pipelines.infer;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.UserInputException;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

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
 * ({@code NewestCommit}): the one with the latest {@code committed_utc} (a file without that column
 * counts as committed at its modification time), then the greatest run id, then file path.
 *
 * <p>The merge and the counts are a Beam graph, so they run on the DirectRunner and the SparkRunner
 * alike: after the newest commit is chosen, detections below {@code --min-confidence} are dropped
 * (and counted), the rest are written as one table, and grouped by label and bucket ({@code
 * floor(start_s / (60 * bucket-minutes))}, time from the start of each recording). After the graph,
 * {@link #afterRun} packages the result. Outputs under {@code <output-dir>/aggregate/}:
 *
 * <ul>
 *   <li>{@code detections/detections-00000-of-00001.parquet}: the merged detections ({@link
 *       #DETECTIONS});
 *   <li>{@code detections_per_bucket/buckets-00000-of-00001.parquet}: {@link #BUCKETS};
 *   <li>{@code detections.duckdb}: a DuckDB database with tables {@code detections} and {@code
 *       detections_per_bucket} and views {@code label_summary} and {@code recording_summary};
 *   <li>{@code quicklook.csv}: one row per label, one column per bucket ({@code m<start minute>}),
 *       detection counts, plus a {@code total} column;
 *   <li>{@code quicklook.png}: the same counts as a line chart, one line per label;
 *   <li>{@code failures/aggregate-failures-*.jsonl}: detections with a missing value.
 * </ul>
 *
 * <pre>{@code
 * beamline infer aggregate --input out --output-dir out --bucket-minutes 5 --min-confidence 0.7
 * duckdb out/aggregate/detections.duckdb "SELECT * FROM label_summary"
 * }</pre>
 */
public final class InferAggregatePipeline
    implements BeamlinePipeline<InferAggregatePipeline.InferAggregateOptions> {

  /** The canonical detection columns ({@code infer run}'s table), in order. */
  public static final Schema DETECTIONS = DetectionsTable.SCHEMA;

  /** Detections per label and time bucket. */
  public static final Schema BUCKETS =
      Schema.builder()
          .addStringField("label")
          .addInt64Field("bucket_index")
          .addDoubleField("bucket_start_s")
          .addDoubleField("bucket_end_s")
          .addInt64Field("detections")
          .addInt64Field("recordings")
          .addDoubleField("mean_confidence")
          .addDoubleField("max_confidence")
          .build();

  /**
   * The detection columns as read, the seed's nullable (a missing value is a failure record), and
   * the commit time (from the column, else the file's modification time).
   */
  static final Schema READ =
      Schema.builder()
          .addFields(nullable(DetectionsTable.SEED_COLUMNS).getFields())
          .addStringField(DetectionsTable.COMMITTED_UTC)
          .build();

  static final TupleTag<Row> VALID = new TupleTag<Row>() {};
  static final TupleTag<Failure> INVALID = new TupleTag<Failure>() {};

  /** Database file name under {@code <output-dir>/aggregate/}. */
  public static final String DATABASE = "detections.duckdb";

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
  public String summary() {
    return "Detections Parquet -> merged table, counts per label and time bucket, DuckDB file,"
        + " quicklook CSV and PNG";
  }

  @Override
  public Class<InferAggregateOptions> optionsClass() {
    return InferAggregateOptions.class;
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
    for (Path f : detectionFiles(o)) {
      checkColumns(f);
    }
  }

  /** The detections Parquet files under {@code --input}, sorted; none is an input error. */
  static List<Path> detectionFiles(InferAggregateOptions o) {
    if (o.getInput() == null || o.getInput().isBlank()) {
      throw new UserInputException(
          "--input is required: give the --output-dir of 'beamline infer run'");
    }
    Path in = Paths.get(o.getInput()).toAbsolutePath().normalize();
    if (!Files.isDirectory(in)) {
      throw new UserInputException(
          "input directory not found: "
              + o.getInput()
              + " (--input); give the --output-dir of 'beamline infer run'");
    }
    Path dir = Files.isDirectory(in.resolve("detections")) ? in.resolve("detections") : in;
    List<Path> files;
    try (Stream<Path> s = dir.equals(in) ? Files.list(dir) : Files.walk(dir)) {
      files =
          s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet"))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> !in.relativize(p).toString().contains(".temp-beam"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException("cannot list --input " + o.getInput() + ": " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new UserInputException(
          "no detections Parquet files under --input "
              + o.getInput()
              + " (looked in "
              + dir
              + "); run 'beamline infer run' first or point --input at its --output-dir");
    }
    return files;
  }

  /** Requires the detection columns, with string or numeric types as the table defines them. */
  static void checkColumns(Path f) {
    Map<String, String> types;
    try (DuckDb db = DuckDb.inMemory()) {
      types = db.columnTypes("SELECT * FROM read_parquet(" + DuckDb.literal(f.toString()) + ")");
    } catch (SQLException e) {
      throw new UserInputException(
          "cannot read detections file " + f + " as Parquet: " + oneLine(e) + "; replace it");
    }
    List<String> problems = new ArrayList<>();
    String committed = types.get(DetectionsTable.COMMITTED_UTC);
    if (committed != null && !committed.equals("VARCHAR")) {
      problems.add(DetectionsTable.COMMITTED_UTC + " is " + committed + " (want VARCHAR)");
    }
    for (Schema.Field field : DetectionsTable.SEED_COLUMNS.getFields()) {
      String t = types.get(field.getName());
      boolean text = field.getType().getTypeName() == Schema.TypeName.STRING;
      if (t == null) {
        problems.add(field.getName() + " missing");
      } else if (text ? !t.equals("VARCHAR") : !(t.equals("DOUBLE") || t.equals("FLOAT"))) {
        problems.add(
            field.getName() + " is " + t + " (want " + (text ? "VARCHAR" : "DOUBLE") + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new UserInputException(
          "detections file "
              + f
              + " lacks the detection columns: "
              + String.join(", ", problems)
              + "; give files written by 'beamline infer run'");
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** {@code <output-dir>/aggregate}, absolute. */
  static Path aggregateDir(InferAggregateOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize().resolve("aggregate");
  }

  @Override
  public void build(Pipeline p, InferAggregateOptions o) {
    Path out = aggregateDir(o);
    List<String> files = detectionFiles(o).stream().map(Path::toString).toList();
    PCollectionTuple checked =
        p.apply("DetectionFiles", Create.of(files).withCoder(StringUtf8Coder.of()))
            .apply("ReadDetections", ParDo.of(new ReadDetectionsFn()))
            .setCoder(
                KvCoder.of(
                    StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), RowCoder.of(READ))))
            .apply("GroupByChunk", GroupByKey.create())
            .apply("NewestCommit", ParDo.of(new NewestCommitFn()))
            .setRowSchema(READ)
            .apply(
                "CheckDetections",
                ParDo.of(new CheckFn(o.getMinConfidence()))
                    .withOutputTags(VALID, TupleTagList.of(INVALID)));
    PCollection<Row> detections = checked.get(VALID).setRowSchema(DETECTIONS);
    detections.apply(
        "WriteDetections",
        ParquetTableIO.write(DETECTIONS)
            .to(out.resolve("detections").toString())
            .withPrefix("detections")
            .withNumShards(1));
    detections
        .apply("KeyByLabelBucket", ParDo.of(new KeyByBucketFn(o.getBucketMinutes() * 60.0)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(DETECTIONS)))
        .apply("GroupByLabelBucket", GroupByKey.create())
        .apply("CountPerBucket", ParDo.of(new CountBucketFn(o.getBucketMinutes() * 60.0)))
        .setRowSchema(BUCKETS)
        .apply(
            "WriteBuckets",
            ParquetTableIO.write(BUCKETS)
                .to(out.resolve("detections_per_bucket").toString())
                .withPrefix("buckets")
                .withNumShards(1));
    checked
        .get(INVALID)
        .setCoder(SerializableCoder.of(Failure.class))
        .apply(
            "WriteFailures",
            FailureIO.write()
                .to(out.resolve("failures").toString())
                .withPrefix("aggregate-failures"));
  }

  @Override
  public void afterRun(InferAggregateOptions o, Path runDir, PipelineResult result)
      throws Exception {
    Path out = aggregateDir(o);
    List<Quicklook.Bucket> buckets = writeDatabase(out);
    AtomicFiles.writeString(
        out.resolve("quicklook.csv"), Quicklook.csv(buckets, o.getBucketMinutes()));
    AtomicFiles.write(
        out.resolve("quicklook.png"), s -> Quicklook.png(buckets, o.getBucketMinutes(), s));
  }

  /**
   * Builds {@code detections.duckdb} under a temporary name from the graph's Parquet outputs and
   * renames it into place; returns the bucket counts.
   */
  static List<Quicklook.Bucket> writeDatabase(Path out) throws IOException, SQLException {
    Path tmp = out.resolve("." + DATABASE + "." + UUID.randomUUID() + ".tmp");
    String detections = DuckDb.literal(out.resolve("detections").resolve("*.parquet").toString());
    String perBucket =
        DuckDb.literal(out.resolve("detections_per_bucket").resolve("*.parquet").toString());
    List<Quicklook.Bucket> buckets = new ArrayList<>();
    try {
      try (DuckDb db = DuckDb.open(tmp)) {
        db.execute(
            "CREATE TABLE detections AS SELECT * FROM read_parquet("
                + detections
                + ") ORDER BY recording_id, start_s, chunk_id, label, confidence DESC");
        db.execute(
            "CREATE TABLE detections_per_bucket AS SELECT * FROM read_parquet("
                + perBucket
                + ") ORDER BY label, bucket_index");
        db.execute(
            "CREATE VIEW label_summary AS SELECT label, count(*) AS detections,"
                + " count(DISTINCT recording_id) AS recordings, avg(confidence) AS mean_confidence,"
                + " max(confidence) AS max_confidence FROM detections GROUP BY label");
        db.execute(
            "CREATE VIEW recording_summary AS SELECT recording_id, count(*) AS detections,"
                + " count(DISTINCT label) AS labels, count(DISTINCT chunk_id) AS chunks,"
                + " min(start_s) AS first_start_s, max(end_s) AS last_end_s"
                + " FROM detections GROUP BY recording_id");
        for (List<Object> r :
            db.rows(
                "SELECT label, bucket_index, detections FROM detections_per_bucket"
                    + " ORDER BY label, bucket_index")) {
          buckets.add(
              new Quicklook.Bucket(
                  (String) r.get(0),
                  ((Number) r.get(1)).longValue(),
                  ((Number) r.get(2)).longValue()));
        }
        db.execute("CHECKPOINT");
      }
      Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".wal"));
      AtomicFiles.moveIntoPlace(tmp, out.resolve(DATABASE));
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".wal"));
    }
    return buckets;
  }

  @Override
  public List<Path> inputFiles(InferAggregateOptions o) {
    return detectionFiles(o);
  }

  @Override
  public List<Path> outputRoots(InferAggregateOptions o) {
    return List.of(aggregateDir(o));
  }

  private static Schema nullable(Schema s) {
    Schema.Builder b = Schema.builder();
    for (Schema.Field f : s.getFields()) {
      b.addNullableField(f.getName(), f.getType());
    }
    return b.build();
  }

  /**
   * Reads one detections file (a local path): each row keyed by its chunk, {@code
   * recording_id\tchunk_id}, with its commit, {@code committed_utc\trun_id\tfile}, which orders
   * commits of the same chunk. A row lacking its recording or chunk id is keyed alone (it becomes a
   * failure record).
   */
  static final class ReadDetectionsFn extends DoFn<String, KV<String, KV<String, Row>>> {
    @ProcessElement
    public void process(@Element String file, OutputReceiver<KV<String, KV<String, Row>>> out)
        throws IOException {
      long[] n = {0};
      DetectionsTable.read(
          Paths.get(file),
          r -> {
            List<Object> values = new ArrayList<>(r.values());
            values.add(r.committedUtc());
            Row row = Row.withSchema(READ).addValues(values).build();
            Object recording = values.get(0);
            Object chunk = values.get(1);
            Object runId = values.get(9);
            String key =
                recording == null || chunk == null
                    ? "\u0000" + file + "#" + n[0]
                    : recording + "\t" + chunk;
            String commit = r.committedUtc() + "\t" + (runId == null ? "" : runId) + "\t" + file;
            n[0]++;
            out.output(KV.of(key, KV.of(commit, row)));
          });
    }
  }

  /** Of one chunk's rows, those of its newest commit (the greatest commit key). */
  static final class NewestCommitFn extends DoFn<KV<String, Iterable<KV<String, Row>>>, Row> {
    private final Counter replaced =
        Metrics.counter(InferAggregatePipeline.class, "detections_replaced_by_newer_commit");

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<KV<String, Row>>> chunk, OutputReceiver<Row> out) {
      String newest = null;
      for (KV<String, Row> r : chunk.getValue()) {
        if (newest == null || r.getKey().compareTo(newest) > 0) {
          newest = r.getKey();
        }
      }
      for (KV<String, Row> r : chunk.getValue()) {
        if (r.getKey().equals(newest)) {
          out.output(r.getValue());
        } else {
          replaced.inc();
        }
      }
    }
  }

  /**
   * Passes complete detections at or above the confidence threshold as {@link #DETECTIONS} rows; a
   * detection with a missing value or a bad time span becomes a failure record.
   */
  static final class CheckFn extends DoFn<Row, Row> {
    private final double minConfidence;
    private final Counter kept = Metrics.counter(InferAggregatePipeline.class, "detections_kept");
    private final Counter below =
        Metrics.counter(InferAggregatePipeline.class, "detections_below_min_confidence");
    private final Counter invalid =
        Metrics.counter(InferAggregatePipeline.class, "detections_invalid");

    CheckFn(double minConfidence) {
      this.minConfidence = minConfidence;
    }

    @ProcessElement
    public void process(@Element Row r, MultiOutputReceiver out) {
      List<String> missing = new ArrayList<>();
      for (Schema.Field f : READ.getFields()) {
        if (r.getValue(f.getName()) == null) {
          missing.add(f.getName());
        }
      }
      String item =
          r.getString("chunk_id") == null
              ? String.valueOf(r.getString("recording_id"))
              : r.getString("chunk_id");
      String error = null;
      if (!missing.isEmpty()) {
        error = "missing " + String.join(", ", missing);
      } else if (!Double.isFinite(r.getDouble("start_s"))
          || r.getDouble("start_s") < 0
          || !(r.getDouble("end_s") >= r.getDouble("start_s"))) {
        error =
            "bad time span start_s=" + r.getDouble("start_s") + " end_s=" + r.getDouble("end_s");
      } else if (!Double.isFinite(r.getDouble("confidence"))) {
        error = "confidence is " + r.getDouble("confidence");
      }
      if (error != null) {
        invalid.inc();
        out.get(INVALID)
            .output(
                new Failure(
                    String.valueOf(r.getString("run_id")),
                    item,
                    "CheckDetections",
                    error + "; the detection is left out of the aggregate"));
        return;
      }
      if (r.getDouble("confidence") < minConfidence) {
        below.inc();
        return;
      }
      kept.inc();
      out.get(VALID).output(Row.withSchema(DETECTIONS).addValues(r.getValues()).build());
    }
  }

  /** Keys a detection by {@code label} and bucket index, {@code "<index>\t<label>"}. */
  static final class KeyByBucketFn extends DoFn<Row, KV<String, Row>> {
    private final double bucketSeconds;

    KeyByBucketFn(double bucketSeconds) {
      this.bucketSeconds = bucketSeconds;
    }

    @ProcessElement
    public void process(@Element Row r, OutputReceiver<KV<String, Row>> out) {
      long index = bucketIndex(r.getDouble("start_s"), bucketSeconds);
      out.output(KV.of(index + "\t" + r.getString("label"), r));
    }
  }

  /** The bucket of a time in seconds: {@code floor(t / bucketSeconds)}. */
  static long bucketIndex(double t, double bucketSeconds) {
    return (long) Math.floor(t / bucketSeconds);
  }

  /**
   * Counts one label's detections in one bucket; confidences are sorted before summing so the mean
   * does not depend on the order a runner delivers them.
   */
  static final class CountBucketFn extends DoFn<KV<String, Iterable<Row>>, Row> {
    private final double bucketSeconds;

    CountBucketFn(double bucketSeconds) {
      this.bucketSeconds = bucketSeconds;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> kv, OutputReceiver<Row> out) {
      String[] key = kv.getKey().split("\t", 2);
      long index = Long.parseLong(key[0]);
      List<Double> conf = new ArrayList<>();
      Set<String> recordings = new HashSet<>();
      for (Row r : kv.getValue()) {
        conf.add(r.getDouble("confidence"));
        recordings.add(r.getString("recording_id"));
      }
      double[] c = conf.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(c);
      double sum = 0;
      for (double v : c) {
        sum += v;
      }
      out.output(
          Row.withSchema(BUCKETS)
              .addValues(
                  key[1],
                  index,
                  index * bucketSeconds,
                  (index + 1) * bucketSeconds,
                  (long) c.length,
                  (long) recordings.size(),
                  sum / c.length,
                  c[c.length - 1])
              .build());
    }
  }
}

package io.beamline.pipelines.infer.aggregate;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.failures.Failure;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * {@code check-detections}: passes complete detections at or above the confidence threshold as
 * {@link AggregateTables#DETECTIONS} rows ({@link #DETECTIONS}); a detection with a missing value
 * or a bad time span becomes a failure record ({@link #FAILURES}); one below the threshold is
 * dropped and counted.
 */
final class CheckDetections
    extends Module<CheckDetections.Config, PCollection<Row>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final Port READ = Port.of("read", Row.class);
  static final Port DETECTIONS = Port.of("detections", Row.class);
  static final Port FAILURES = Port.of("failures", Failure.class);

  /**
   * @param minConfidence detections below it are dropped, in [0, 1]
   */
  record Config(double minConfidence) implements ModuleConfig<CheckDetections> {
    Config {
      if (!(minConfidence >= 0 && minConfidence <= 1)) {
        throw new IllegalArgumentException(
            String.format("minConfidence must be in [0, 1], got %s", minConfidence));
      }
    }

    @Override
    public CheckDetections toModule() {
      return new CheckDetections(this);
    }
  }

  private CheckDetections(Config config) {
    super("check-detections", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(READ);
  }

  @Override
  public List<Port> outputs() {
    return List.of(DETECTIONS, FAILURES);
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> read) {
    TupleTag<Row> valid = DETECTIONS.tag();
    TupleTag<Failure> invalid = FAILURES.tag();
    PCollectionTuple checked =
        read.apply(
            "CheckDetections",
            ParDo.of(new CheckFn(config().minConfidence(), valid, invalid))
                .withOutputTags(valid, TupleTagList.of(invalid)));
    checked.get(valid).setRowSchema(AggregateTables.DETECTIONS);
    checked.get(invalid).setCoder(SerializableCoder.of(Failure.class));
    return checked;
  }

  static final class CheckFn extends DoFn<Row, Row> {
    private final double minConfidence;
    private final TupleTag<Row> valid;
    private final TupleTag<Failure> invalid;
    private final Counter kept = Metrics.counter(InferAggregatePipeline.class, "detections_kept");
    private final Counter below =
        Metrics.counter(InferAggregatePipeline.class, "detections_below_min_confidence");
    private final Counter bad = Metrics.counter(InferAggregatePipeline.class, "detections_invalid");

    CheckFn(double minConfidence, TupleTag<Row> valid, TupleTag<Failure> invalid) {
      this.minConfidence = minConfidence;
      this.valid = valid;
      this.invalid = invalid;
    }

    @ProcessElement
    public void process(@Element Row r, MultiOutputReceiver out) {
      String error = problem(r);
      if (error != null) {
        bad.inc();
        String item =
            r.getString("chunk_id") == null
                ? String.valueOf(r.getString("recording_id"))
                : r.getString("chunk_id");
        out.get(invalid)
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
      out.get(valid)
          .output(Row.withSchema(AggregateTables.DETECTIONS).addValues(r.getValues()).build());
    }

    /** What is wrong with a detection, or null. */
    private static String problem(Row r) {
      List<String> missing = new ArrayList<>();
      for (Schema.Field f : AggregateTables.READ.getFields()) {
        if (r.getValue(f.getName()) == null) {
          missing.add(f.getName());
        }
      }
      if (!missing.isEmpty()) {
        return "missing " + String.join(", ", missing);
      }
      if (!Double.isFinite(r.getDouble("start_s"))
          || r.getDouble("start_s") < 0
          || !(r.getDouble("end_s") >= r.getDouble("start_s"))) {
        return "bad time span start_s=" + r.getDouble("start_s") + " end_s=" + r.getDouble("end_s");
      }
      if (!Double.isFinite(r.getDouble("confidence"))) {
        return "confidence is " + r.getDouble("confidence");
      }
      return null;
    }
  }
}

package io.beamline.pipelines.infer.aggregate;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * {@code count-per-bucket}: detections counted per label and time bucket ({@code floor(start_s /
 * bucketSeconds)}, time from the start of each recording), as {@link AggregateTables#BUCKETS} rows.
 */
final class CountPerBucket
    extends Module<CountPerBucket.Config, PCollection<Row>, PCollection<Row>> {
  private static final long serialVersionUID = 1L;

  static final Port DETECTIONS = Port.of("detections", Row.class);
  static final Port BUCKETS = Port.of("buckets", Row.class);

  /**
   * @param bucketSeconds width of a bucket in seconds, finite and > 0
   */
  record Config(double bucketSeconds) implements ModuleConfig<CountPerBucket> {
    Config {
      if (!(bucketSeconds > 0) || !Double.isFinite(bucketSeconds)) {
        throw new IllegalArgumentException(
            String.format("bucketSeconds must be a finite number > 0, got %s", bucketSeconds));
      }
    }

    @Override
    public CountPerBucket toModule() {
      return new CountPerBucket(this);
    }
  }

  private CountPerBucket(Config config) {
    super("count-per-bucket", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(DETECTIONS);
  }

  @Override
  public List<Port> outputs() {
    return List.of(BUCKETS);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> detections) {
    double seconds = config().bucketSeconds();
    return detections
        .apply("KeyByLabelBucket", ParDo.of(new KeyByBucketFn(seconds)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(AggregateTables.DETECTIONS)))
        .apply("GroupByLabelBucket", GroupByKey.create())
        .apply("CountPerBucket", ParDo.of(new CountBucketFn(seconds)))
        .setRowSchema(AggregateTables.BUCKETS);
  }

  /** The bucket of a time in seconds: {@code floor(t / bucketSeconds)}. */
  static long bucketIndex(double t, double bucketSeconds) {
    return (long) Math.floor(t / bucketSeconds);
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
          Row.withSchema(AggregateTables.BUCKETS)
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

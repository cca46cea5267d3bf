package io.beamline.pipelines.infer.aggregate;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.parquet.ParquetTableIO;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

/**
 * {@code write-aggregate}: the graph's outputs under the aggregate directory: {@code
 * detections/detections-00000-of-00001.parquet}, {@code
 * detections_per_bucket/buckets-00000-of-00001.parquet} and {@code
 * failures/aggregate-failures-*.jsonl}.
 */
final class WriteAggregate extends Module<WriteAggregate.Config, PCollectionTuple, PDone> {
  private static final long serialVersionUID = 1L;

  static final Port DETECTIONS = Port.of("detections", Row.class);
  static final Port BUCKETS = Port.of("buckets", Row.class);
  static final Port FAILURES = Port.of("failures", Failure.class);

  /**
   * @param aggregateDir {@code <output-dir>/aggregate}, absolute
   */
  record Config(String aggregateDir) implements ModuleConfig<WriteAggregate> {
    Config {
      if (aggregateDir == null || !Paths.get(aggregateDir).isAbsolute()) {
        throw new IllegalArgumentException(
            String.format("aggregateDir must be an absolute path, got %s", aggregateDir));
      }
    }

    @Override
    public WriteAggregate toModule() {
      return new WriteAggregate(this);
    }
  }

  private WriteAggregate(Config config) {
    super("write-aggregate", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(DETECTIONS, BUCKETS, FAILURES);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollectionTuple in) {
    Path out = Paths.get(config().aggregateDir());
    in.<Row>get(DETECTIONS.tag())
        .apply(
            "WriteDetections",
            ParquetTableIO.write(AggregateTables.DETECTIONS)
                .to(out.resolve("detections").toString())
                .withPrefix("detections")
                .withNumShards(1));
    in.<Row>get(BUCKETS.tag())
        .apply(
            "WriteBuckets",
            ParquetTableIO.write(AggregateTables.BUCKETS)
                .to(out.resolve("detections_per_bucket").toString())
                .withPrefix("buckets")
                .withNumShards(1));
    PCollection<Failure> failures = in.get(FAILURES.tag());
    failures.apply(
        "WriteFailures",
        FailureIO.write().to(out.resolve("failures").toString()).withPrefix("aggregate-failures"));
    return PDone.in(in.getPipeline());
  }
}

package io.beamline.pipelines.infer.aggregate;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * {@code newest-detections}: reads the detections files and keeps, of each {@code (recording_id,
 * chunk_id)}, the rows of its newest commit as a whole set of labels: the latest {@code
 * committed_utc}, then the greatest run id, then file path. Rows are {@link AggregateTables#READ}
 * (nullable, so that incomplete rows reach the check as failures).
 */
final class NewestDetections extends Module<NewestDetections.Config, PBegin, PCollection<Row>> {
  private static final long serialVersionUID = 1L;

  static final Port DETECTIONS = Port.of("detections", Row.class);

  /**
   * @param files the detections Parquet files (local paths), sorted
   */
  record Config(List<String> files) implements ModuleConfig<NewestDetections> {
    Config {
      if (files == null || files.isEmpty()) {
        throw new IllegalArgumentException(
            String.format("newest-detections needs files, at least one, got %s", files));
      }
      files = List.copyOf(files);
    }

    @Override
    public NewestDetections toModule() {
      return new NewestDetections(this);
    }
  }

  private NewestDetections(Config config) {
    super("newest-detections", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of();
  }

  @Override
  public List<Port> outputs() {
    return List.of(DETECTIONS);
  }

  @Override
  public PCollection<Row> expand(PBegin begin) {
    return begin
        .apply("DetectionFiles", Create.of(config().files()).withCoder(StringUtf8Coder.of()))
        .apply("ReadDetections", ParDo.of(new ReadDetectionsFn()))
        .setCoder(
            KvCoder.of(
                StringUtf8Coder.of(),
                KvCoder.of(StringUtf8Coder.of(), RowCoder.of(AggregateTables.READ))))
        .apply("GroupByChunk", GroupByKey.create())
        .apply("NewestCommit", ParDo.of(new NewestCommitFn()))
        .setRowSchema(AggregateTables.READ);
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
            Row row = Row.withSchema(AggregateTables.READ).addValues(values).build();
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
}

package io.beamline.pipelines.constellation;

import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.io.sensors.SampleClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;

/** The rows of {@code timeseries/*.parquet}: one per grid point of every stream. */
final class TimeSeriesRows {
  private TimeSeriesRows() {}

  /** The file prefix: files are named {@code timeseries-NNNNN-of-MMMMM.parquet}. */
  static final String PREFIX = "timeseries";

  /** One row per grid point of every stream; video rows carry no values, only the gap flag. */
  static final Schema SCHEMA =
      Schema.builder()
          .addStringField("subject_id")
          .addStringField("session_id")
          .addStringField("modality")
          .addStringField("sensor_id")
          .addInt64Field("sample_index")
          .addDoubleField("t_s")
          .addLogicalTypeField("time", new MicrosInstant())
          .addBooleanField("gap")
          .addArrayField("values", Schema.FieldType.FLOAT)
          .build();

  /**
   * The rows of one aligned slice, at its session grid indices, as Avro records of {@code avro}
   * ({@link ParquetTableIO#avroSchema} of {@link #SCHEMA}), made as they are consumed: what {@link
   * ParquetTableIO#writeFile} makes of the same rows as Beam rows of {@link #SCHEMA} (the same file
   * byte for byte, {@code TimeSeriesRowsTest}), without building a Beam row per grid point.
   */
  static Stream<GenericRecord> records(
      SessionPlan plan, AlignedSlice slice, org.apache.avro.Schema avro) {
    AlignedStream s = slice.stream();
    Instant start = plan.sessionStart();
    List<Float> none = List.of();
    return IntStream.range(0, s.samples())
        .mapToObj(
            k -> {
              long index = slice.firstIndex() + k;
              long ns = SampleClock.timestampNs(0, index, s.rate);
              Instant t = start.plusNanos(ns);
              GenericData.Record r = new GenericData.Record(avro);
              r.put(0, plan.subjectId);
              r.put(1, plan.sessionId);
              r.put(2, s.modality);
              r.put(3, s.sensorId);
              r.put(4, index);
              r.put(5, ns / 1e9);
              r.put(6, t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
              r.put(7, s.gap[k]);
              r.put(8, s.isVideo() ? none : channels(s.floats, k * s.channels, s.channels));
              return r;
            });
  }

  /** {@code n} floats of {@code values} from {@code from}, as a list (boxed as read). */
  private static List<Float> channels(float[] values, int from, int n) {
    return new AbstractList<>() {
      @Override
      public Float get(int i) {
        return values[from + i];
      }

      @Override
      public int size() {
        return n;
      }
    };
  }

  /**
   * One Parquet file per group of aligned streams, in stream order; outputs its path. Batch: the
   * whole session's table (key {@link Windowing#SESSION}), {@code
   * timeseries-00000-of-00001.parquet}. Streaming: one file per event-time window as it closes,
   * {@code timeseries-w<window>.parquet} ({@code -pane<p>} for a late pane's rows). Writing it here
   * rather than through {@link ParquetTableIO#write} spares the runner a step per row and the
   * shuffle of every row to the one shard (on the DirectRunner that took half of a 30 s session's
   * run time). The file is written under a temporary name and renamed, so a retried bundle replaces
   * it whole.
   */
  static final class WriteFileFn extends DoFn<KV<Long, Iterable<AlignedSlice>>, String> {
    private final SessionPlan plan;
    private final String runId;
    private final String directory;

    WriteFileFn(SessionPlan plan, String runId, String directory) {
      this.plan = plan;
      this.runId = runId;
      this.directory = directory;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, Iterable<AlignedSlice>> group, PaneInfo pane, OutputReceiver<String> out)
        throws IOException {
      List<AlignedSlice> slices = new ArrayList<>();
      group.getValue().forEach(slices::add);
      slices.sort(
          Comparator.comparing((AlignedSlice s) -> s.stream().sensorId)
              .thenComparingLong(AlignedSlice::firstIndex));
      long w = group.getKey();
      String name;
      if (w == Windowing.SESSION) {
        name = PREFIX + "-00000-of-00001.parquet";
      } else if (pane.getIndex() == 0) {
        name = String.format("%s-w%06d.parquet", PREFIX, w);
      } else {
        name = String.format("%s-w%06d-pane%d.parquet", PREFIX, w, pane.getIndex());
      }
      Path dir = Paths.get(directory);
      Files.createDirectories(dir);
      Path target = dir.resolve(name);
      Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        ParquetTableIO.writeRecords(
            SCHEMA,
            PREFIX,
            avro -> slices.stream().flatMap(s -> records(plan, s, avro)).iterator(),
            tmp);
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      LiveSession.outputWritten(plan, runId, w);
      out.output(target.toString());
    }
  }
}

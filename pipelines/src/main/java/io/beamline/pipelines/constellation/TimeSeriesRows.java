package io.beamline.pipelines.constellation;

import io.beamline.io.sensors.SampleClock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/** The rows of {@code timeseries/*.parquet}: one per grid point of every stream. */
final class TimeSeriesRows {
  private TimeSeriesRows() {}

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

  /** One row per grid point of an aligned stream, at its session grid indices. */
  static final class RowsFn extends DoFn<AlignedSlice, Row> {
    private final SessionPlan plan;

    RowsFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element AlignedSlice slice, OutputReceiver<Row> out) {
      AlignedStream s = slice.stream();
      Instant start = plan.sessionStart();
      List<Float> none = List.of();
      for (int k = 0; k < s.samples(); k++) {
        long index = slice.firstIndex() + k;
        long ns = SampleClock.timestampNs(0, index, s.rate);
        List<Float> values = none;
        if (!s.isVideo()) {
          Float[] v = new Float[s.channels];
          for (int c = 0; c < s.channels; c++) {
            v[c] = s.floats[k * s.channels + c];
          }
          values = Arrays.asList(v);
        }
        out.output(
            Row.withSchema(SCHEMA)
                .addValues(
                    plan.subjectId,
                    plan.sessionId,
                    s.modality,
                    s.sensorId,
                    index,
                    ns / 1e9,
                    start.plusNanos(ns).truncatedTo(ChronoUnit.MICROS),
                    s.gap[k],
                    values)
                .build());
      }
    }
  }
}

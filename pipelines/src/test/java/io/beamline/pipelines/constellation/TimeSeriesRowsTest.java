package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.io.sensors.SampleClock;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session table written from Avro records made directly ({@link TimeSeriesRows#records}) is the
 * file the Beam-row path ({@link TimeSeriesRows#of} through {@link ParquetTableIO#writeFile})
 * writes, byte for byte: every stream, video rows without values, gaps from fault injection.
 */
class TimeSeriesRowsTest {
  @TempDir Path dir;

  @Test
  void recordsWriteTheSameFileAsRows() throws Exception {
    ConstellationOptions o =
        options(args(dir.resolve("out"), "--duration=2", "--seed=4", "--faultInjection"));
    new ConstellationPipeline().validate(o);
    SessionPlan plan = ConstellationPipeline.plan(o);
    List<AlignedSlice> slices = new ArrayList<>();
    for (SensorDriver d : plan.drivers) {
      List<SensorEvent> events = new ArrayList<>();
      plan.faultedEvents(d).forEachRemaining(events::add);
      slices.add(AlignStreams.alignSession(plan, d, events));
    }
    Path rows = dir.resolve("rows.parquet");
    Path records = dir.resolve("records.parquet");
    ParquetTableIO.writeFile(
        TimeSeriesRows.SCHEMA,
        TimeSeriesRows.PREFIX,
        () -> slices.stream().flatMap(s -> rows(plan, s)).iterator(),
        rows);
    ParquetTableIO.writeRecords(
        TimeSeriesRows.SCHEMA,
        TimeSeriesRows.PREFIX,
        avro -> slices.stream().flatMap(s -> TimeSeriesRows.records(plan, s, avro)).iterator(),
        records);
    assertArrayEquals(Files.readAllBytes(rows), Files.readAllBytes(records));

    long samples = slices.stream().mapToLong(s -> s.stream().samples()).sum();
    try (DuckDb db = DuckDb.inMemory()) {
      String t = "read_parquet(" + DuckDb.literal(records.toString()) + ")";
      assertEquals(samples, db.count("SELECT * FROM " + t));
      assertEquals(8, db.count("SELECT DISTINCT sensor_id FROM " + t));
      assertTrue(db.count("SELECT * FROM " + t + " WHERE gap") > 0, "fault injection left no gap");
      assertEquals(
          0, db.count("SELECT * FROM " + t + " WHERE modality = 'video' AND len(values) > 0"));
      assertEquals(
          db.count("SELECT * FROM " + t + " WHERE modality = 'eeg'"),
          db.count("SELECT * FROM " + t + " WHERE modality = 'eeg' AND len(values) = 32"));
    }
  }

  /**
   * The reference: one Beam row of {@link TimeSeriesRows#SCHEMA} per grid point, the table as the
   * schema states it, written by {@link ParquetTableIO#writeFile}.
   */
  private static Stream<Row> rows(SessionPlan plan, AlignedSlice slice) {
    AlignedStream s = slice.stream();
    Instant start = plan.sessionStart();
    List<Float> none = List.of();
    return IntStream.range(0, s.samples())
        .mapToObj(
            k -> {
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
              return Row.withSchema(TimeSeriesRows.SCHEMA)
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
                  .build();
            });
  }
}

package io.beamline.io.bench;

import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.parquet.ParquetTableIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * Rows per second of the project's Parquet writer ({@link ParquetTableIO#writeFile}: Beam rows to
 * Avro records to a Snappy Parquet file) against DuckDB writing the same rows with {@code COPY
 * (SELECT ...) TO 'x.parquet' (FORMAT PARQUET, COMPRESSION SNAPPY)}, in one JVM. The rows are a
 * sensor table like the pipelines' (time, sensor, channel, value, quality), seeded; DuckDB holds
 * them in an in-memory table loaded (untimed) from the project writer's own warm-up file, so both
 * sides write exactly the same rows from memory. DuckDB runs with one thread, as the project's
 * writer does. Rounds alternate the two; the report and the {@link BenchRow} give the medians.
 *
 * <p>Arguments: {@code [rows=500000] [rounds=3]}. Run with {@code bench/parquet-write.sh}.
 */
public final class ParquetWriteBench {
  private static final Schema SCHEMA =
      Schema.builder()
          .addInt64Field("t_ns")
          .addStringField("sensor")
          .addInt32Field("channel")
          .addDoubleField("value")
          .addFloatField("quality")
          .build();

  private ParquetWriteBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<Row> rows = rows(n);
    Path dir = Files.createTempDirectory("parquet-bench");
    try (DuckDb db = DuckDb.inMemory()) {
      // Warm-up of the project's writer; its file is what DuckDB loads, so the rows are the same.
      Path warm = dir.resolve("warm.parquet");
      ParquetTableIO.writeFile(SCHEMA, "bench", rows, warm);
      db.execute("SET threads TO 1");
      db.execute(
          "CREATE TABLE t AS SELECT * FROM read_parquet(" + DuckDb.literal(warm.toString()) + ")");
      long loaded = db.count("SELECT * FROM t");
      if (loaded != n) {
        throw new IllegalStateException("DuckDB loaded " + loaded + " rows of " + n);
      }
      copy(db, dir.resolve("warm-duckdb.parquet"));

      double[] writer = new double[rounds];
      double[] duck = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        Path a = dir.resolve("writer-" + r + ".parquet");
        long t0 = System.nanoTime();
        ParquetTableIO.writeFile(SCHEMA, "bench", rows, a);
        writer[r] = n / ((System.nanoTime() - t0) / 1e9);
        Path b = dir.resolve("duckdb-" + r + ".parquet");
        t0 = System.nanoTime();
        copy(db, b);
        duck[r] = n / ((System.nanoTime() - t0) / 1e9);
        System.out.printf(
            Locale.ROOT,
            "round %d: writer %.0f rows/s (%.1f MB), DuckDB COPY %.0f rows/s (%.1f MB)%n",
            r + 1,
            writer[r],
            Files.size(a) / 1e6,
            duck[r],
            Files.size(b) / 1e6);
        Files.delete(a);
        Files.delete(b);
      }
      double mw = BenchRow.median(writer);
      double md = BenchRow.median(duck);
      System.out.printf(
          Locale.ROOT,
          "parquet write, %d rows, %d rounds: writer %.0f rows/s, DuckDB COPY %.0f rows/s,"
              + " ratio %.3f%n",
          n,
          rounds,
          mw,
          md,
          mw / md);
      BenchRow.emit(
          "parquet-write",
          "Parquet writing, " + n + " rows",
          "ParquetTableIO.writeFile",
          "DuckDB COPY TO",
          "rows/s",
          writer,
          duck);
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }

  private static void copy(DuckDb db, Path target) throws Exception {
    db.execute(
        "COPY (SELECT * FROM t) TO "
            + DuckDb.literal(target.toString())
            + " (FORMAT PARQUET, COMPRESSION SNAPPY)");
  }

  /** {@code n} seeded rows: 16 sensors x 8 channels, 1 kHz timestamps, Gaussian values. */
  private static List<Row> rows(int n) {
    SplittableRandom rnd = new SplittableRandom(42);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(
          Row.withSchema(SCHEMA)
              .addValues(
                  1_700_000_000_000_000_000L + (i / 128) * 1_000_000L,
                  "sensor-" + (i / 8 % 16),
                  i % 8,
                  rnd.nextGaussian(),
                  (float) rnd.nextDouble())
              .build());
    }
    return rows;
  }
}

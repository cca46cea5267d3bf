package io.beamline.pipelines.infer.formats;

import io.beamline.io.files.AtomicFiles;
import io.beamline.io.parquet.ParquetTableIO;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;

/**
 * The canonical detections table of {@code infer run} and {@code infer aggregate}: the seed's
 * columns {@code recording_id, chunk_id, start_s, end_s, label, confidence, model, model_version,
 * worker, run_id}, then {@code committed_utc}, when the chunk's outputs were committed (UTC, {@link
 * #time} format, so text order is time order). Where several tables hold the same chunk, the rows
 * of the newest commit win as a whole ({@code infer aggregate}).
 *
 * <p>{@link #write} puts one table in place atomically (temporary sibling, forced, renamed); {@link
 * #read} reads any detections Parquet file, filling {@code committed_utc} from the file's
 * modification time where an older table lacks the column.
 */
public final class DetectionsTable {
  private DetectionsTable() {}

  /** The column that orders commits of the same chunk. */
  public static final String COMMITTED_UTC = "committed_utc";

  /** The seed's columns, in order. */
  public static final Schema SEED_COLUMNS =
      Schema.builder()
          .addStringField("recording_id")
          .addStringField("chunk_id")
          .addDoubleField("start_s")
          .addDoubleField("end_s")
          .addStringField("label")
          .addDoubleField("confidence")
          .addStringField("model")
          .addStringField("model_version")
          .addStringField("worker")
          .addStringField("run_id")
          .build();

  /** The table: the seed's columns and {@link #COMMITTED_UTC}. */
  public static final Schema SCHEMA =
      Schema.builder().addFields(SEED_COLUMNS.getFields()).addStringField(COMMITTED_UTC).build();

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** A commit time as stored: ISO 8601 UTC with exactly six fraction digits. */
  public static String time(Instant t) {
    return TIME.format(t);
  }

  /** {@link #time} of an ISO 8601 instant as {@link Instant#toString()} writes it. */
  public static String time(String iso) {
    return time(Instant.parse(iso));
  }

  /**
   * Writes {@code rows} ({@link #SCHEMA}) as the Parquet file {@code target}, atomically: a reader
   * sees the previous table or this one, never a part.
   */
  public static void write(Path target, List<Row> rows) throws IOException {
    org.apache.avro.Schema avro = ParquetTableIO.avroSchema(SCHEMA, "detections");
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = AtomicFiles.temporarySibling(target);
    try {
      ParquetIO.Sink sink = ParquetIO.sink(avro).withCompressionCodec(CompressionCodecName.SNAPPY);
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        sink.open(ch);
        for (Row r : rows) {
          GenericData.Record rec = new GenericData.Record(avro);
          for (int i = 0; i < SCHEMA.getFieldCount(); i++) {
            rec.put(i, r.getValue(i));
          }
          sink.write(rec);
        }
        sink.flush(); // closes the Parquet writer: footer written
      }
      AtomicFiles.force(tmp);
      AtomicFiles.moveIntoPlace(tmp, target);
      AtomicFiles.force(target.toAbsolutePath().getParent());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** One row of a detections file as read: the seed's columns (any may be null) and its commit. */
  public record ReadRow(List<Object> values, String committedUtc) {}

  /** Receives rows one at a time. */
  public interface RowSink {
    void accept(ReadRow row) throws IOException;
  }

  /**
   * Streams every row of the detections Parquet file {@code file} to {@code sink}: the seed's
   * columns in order (strings and doubles; null where missing), and the row's {@code
   * committed_utc}, or, in a table without that column, the file's modification time.
   */
  public static void read(Path file, RowSink sink) throws IOException {
    String fallback = time(Files.getLastModifiedTime(file).toInstant());
    try (ParquetReader<GenericRecord> r =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
      GenericRecord g;
      while ((g = r.read()) != null) {
        List<Object> values = new ArrayList<>(SEED_COLUMNS.getFieldCount());
        for (Schema.Field f : SEED_COLUMNS.getFields()) {
          Object v = g.hasField(f.getName()) ? g.get(f.getName()) : null;
          if (v == null) {
            values.add(null);
          } else if (f.getType().getTypeName() == Schema.TypeName.STRING) {
            values.add(v.toString());
          } else if (v instanceof Number n) {
            values.add(n.doubleValue());
          } else {
            values.add(null);
          }
        }
        Object c = g.hasField(COMMITTED_UTC) ? g.get(COMMITTED_UTC) : null;
        sink.accept(new ReadRow(values, c == null ? fallback : c.toString()));
      }
    }
  }
}

package io.beamline.io.parquet;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.Schema.TypeName;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.schemas.logicaltypes.NanosInstant;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.joda.time.ReadableInstant;

/**
 * Writes Beam {@link Row}s as Parquet tables that DuckDB, Spark, pandas and pyarrow open with the
 * right column types.
 *
 * <p>Type mapping (Beam schema type to Parquet): {@code INT16/INT32} to {@code INT32}, {@code
 * INT64} to {@code INT64}, {@code FLOAT}, {@code DOUBLE}, {@code BOOLEAN}, {@code STRING} to {@code
 * UTF8}, {@code BYTES} to {@code BINARY}, {@code DATETIME} and the {@code MicrosInstant}/{@code
 * NanosInstant} logical types to {@code TIMESTAMP(MICROS)} holding UTC wall-clock time (DuckDB type
 * {@code TIMESTAMP}), arrays and iterables to {@code LIST}, rows to nested groups. Nullable fields
 * become optional columns. Any other type is rejected when the transform is built.
 *
 * <p>Files are written by {@link FileIO}: each shard goes to a temporary directory first and is
 * renamed into {@code directory} only when the bundle that wrote it has committed.
 *
 * <pre>{@code
 * rows.apply(ParquetTableIO.write(SCHEMA).to(outputDir + "/detections").withPrefix("detections"));
 * }</pre>
 */
public final class ParquetTableIO {

  private ParquetTableIO() {}

  /**
   * Returns a writer for rows of {@code schema}. Defaults: prefix {@code part}, runner-chosen shard
   * count, Snappy compression. {@link Write#to(String)} is required.
   */
  public static Write write(Schema schema) {
    checkArgument(schema != null, "schema must not be null");
    // Fail at construction time, naming the offending field, rather than on a worker.
    avroSchema(schema, "row");
    return new Write(schema, null, "part", 0, CompressionCodecName.SNAPPY);
  }

  /**
   * Converts a Beam schema to the Avro schema used for the Parquet file.
   *
   * @throws IllegalArgumentException naming the field when a type has no Parquet mapping here
   */
  public static org.apache.avro.Schema avroSchema(Schema schema, String recordName) {
    SchemaBuilder.FieldAssembler<org.apache.avro.Schema> fields =
        SchemaBuilder.record(recordName).namespace("io.beamline").fields();
    for (Field f : schema.getFields()) {
      org.apache.avro.Schema type =
          avroType(f.getType(), f.getName(), recordName + "_" + f.getName());
      if (f.getType().getNullable()) {
        fields = fields.name(f.getName()).type(nullable(type)).withDefault(null);
      } else {
        fields = fields.name(f.getName()).type(type).noDefault();
      }
    }
    return fields.endRecord();
  }

  private static org.apache.avro.Schema nullable(org.apache.avro.Schema type) {
    return org.apache.avro.Schema.createUnion(
        org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL), type);
  }

  private static org.apache.avro.Schema avroType(FieldType t, String field, String nestedName) {
    org.apache.avro.Schema s;
    switch (t.getTypeName()) {
      case BYTE:
      case INT16:
      case INT32:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
      case INT64:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG);
      case FLOAT:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.FLOAT);
      case DOUBLE:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.DOUBLE);
      case BOOLEAN:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BOOLEAN);
      case STRING:
        s = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING);
        s.addProp("avro.java.string", "String");
        return s;
      case BYTES:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES);
      case DATETIME:
        return timestampMicros();
      case ARRAY:
      case ITERABLE:
        {
          FieldType element = t.getCollectionElementType();
          org.apache.avro.Schema e = avroType(element, field, nestedName + "_item");
          return org.apache.avro.Schema.createArray(element.getNullable() ? nullable(e) : e);
        }
      case ROW:
        return avroSchema(t.getRowSchema(), nestedName);
      case LOGICAL_TYPE:
        {
          String id = t.getLogicalType().getIdentifier();
          if (MicrosInstant.IDENTIFIER.equals(id) || NanosInstant.IDENTIFIER.equals(id)) {
            return timestampMicros();
          }
          throw new IllegalArgumentException(
              "field '"
                  + field
                  + "': logical type "
                  + id
                  + " has no Parquet mapping; use DATETIME,"
                  + " MicrosInstant or a primitive type");
        }
      default:
        throw new IllegalArgumentException(
            "field '"
                + field
                + "': type "
                + t.getTypeName()
                + " has no Parquet mapping; use a"
                + " primitive, DATETIME, ARRAY or ROW type");
    }
  }

  private static org.apache.avro.Schema timestampMicros() {
    // local-timestamp-micros -> Parquet TIMESTAMP(MICROS, isAdjustedToUTC=false): DuckDB reads a
    // plain TIMESTAMP. Values are always UTC wall-clock time.
    return LogicalTypes.localTimestampMicros()
        .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG));
  }

  /** The writer; immutable, {@code withX()} methods return a modified copy. */
  public static final class Write extends PTransform<PCollection<Row>, WriteFilesResult<Void>> {
    private final Schema schema;
    private final String directory;
    private final String prefix;
    private final int numShards;
    private final CompressionCodecName codec;

    private Write(
        Schema schema, String directory, String prefix, int numShards, CompressionCodecName codec) {
      this.schema = schema;
      this.directory = directory;
      this.prefix = prefix;
      this.numShards = numShards;
      this.codec = codec;
    }

    /** Output directory (local path or any Beam file system URI). Required. */
    public Write to(String directory) {
      checkArgument(
          directory != null && !directory.isBlank(),
          "to(directory): directory must be a non-empty path, got %s",
          directory);
      return new Write(schema, directory, prefix, numShards, codec);
    }

    /**
     * File name prefix; files are named {@code <prefix>-NNNNN-of-MMMMM.parquet}. Default "part".
     */
    public Write withPrefix(String prefix) {
      checkArgument(
          prefix != null && prefix.matches("[A-Za-z0-9_.-]+"),
          "withPrefix(prefix): prefix must match [A-Za-z0-9_.-]+, got '%s'",
          prefix);
      return new Write(schema, directory, prefix, numShards, codec);
    }

    /**
     * Number of output files; 0 (the default) lets the runner decide, which parallelises best. Use
     * 1 for a single small table.
     */
    public Write withNumShards(int numShards) {
      checkArgument(numShards >= 0, "withNumShards(numShards): must be >= 0, got %s", numShards);
      return new Write(schema, directory, prefix, numShards, codec);
    }

    /** Compression codec; default SNAPPY. UNCOMPRESSED, SNAPPY, GZIP and ZSTD are supported. */
    public Write withCompression(CompressionCodecName codec) {
      checkArgument(
          codec == CompressionCodecName.UNCOMPRESSED
              || codec == CompressionCodecName.SNAPPY
              || codec == CompressionCodecName.GZIP
              || codec == CompressionCodecName.ZSTD,
          "withCompression(codec): one of UNCOMPRESSED, SNAPPY, GZIP, ZSTD, got %s",
          codec);
      return new Write(schema, directory, prefix, numShards, codec);
    }

    @Override
    public WriteFilesResult<Void> expand(PCollection<Row> input) {
      checkArgument(directory != null, "ParquetTableIO.write(): to(directory) is required");
      org.apache.avro.Schema avro = avroSchema(schema, prefix.replaceAll("[^A-Za-z0-9_]", "_"));
      FileIO.Write<Void, GenericRecord> write =
          FileIO.<GenericRecord>write()
              .via(ParquetIO.sink(avro).withCompressionCodec(codec))
              .to(directory)
              .withPrefix(prefix)
              .withSuffix(".parquet");
      if (numShards > 0) {
        write = write.withNumShards(numShards);
      }
      WriteFilesResult<Void> result =
          input
              .apply("ToAvroRecords", ParDo.of(new RowToRecordFn(schema, avro.toString())))
              .setCoder(AvroCoder.of(GenericRecord.class, avro))
              .apply("WriteParquetFiles", write);
      // An empty input must still leave a readable (empty) table, so that queries over it work.
      result
          .getPerDestinationOutputFilenames()
          .apply("CountFiles", Count.globally())
          .apply(
              "WriteEmptyTableIfNone",
              ParDo.of(new EmptyTableFn(directory, prefix, avro.toString(), codec)));
      return result;
    }
  }

  /**
   * Writes {@code rows} as one Parquet table file at {@code target} with the same column types as
   * {@link #write}, without Beam: for a pipeline that commits its own outputs (it writes to a
   * staged name and moves the file into place itself). {@code target} must not exist yet.
   *
   * @param name the Avro record name (letters, digits and {@code _})
   */
  public static void writeFile(
      Schema schema, String name, Iterable<Row> rows, java.nio.file.Path target)
      throws IOException {
    org.apache.avro.Schema avro = avroSchema(schema, name);
    Iterator<Row> it = rows.iterator();
    write(
        avro,
        new Iterator<GenericRecord>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public GenericRecord next() {
            return toRecord(it.next(), schema, avro);
          }
        },
        target);
  }

  /**
   * Like {@link #writeFile}, for a caller that builds the records itself against {@link
   * #avroSchema}{@code (schema, name)}, which it is given, as {@code writeFile} would make them of
   * rows (strings, boxed numbers, timestamps as microseconds since the epoch, arrays as lists): the
   * same file, without a Beam {@link Row} per record (building and checking a row costs more than
   * writing it, for tables of many narrow rows).
   */
  public static void writeRecords(
      Schema schema,
      String name,
      Function<org.apache.avro.Schema, Iterator<GenericRecord>> records,
      java.nio.file.Path target)
      throws IOException {
    org.apache.avro.Schema avro = avroSchema(schema, name);
    write(avro, records.apply(avro), target);
  }

  private static void write(
      org.apache.avro.Schema avro, Iterator<GenericRecord> records, java.nio.file.Path target)
      throws IOException {
    // The same writer and settings as ParquetIO's sink (Avro model, SNAPPY), without a Hadoop
    // Configuration: building one per file parses Hadoop's default XML resources each time, which
    // cost a streaming pipeline that writes a file per item more than the write itself.
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(target))
            .withSchema(avro)
            .withDataModel(GenericData.get())
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      while (records.hasNext()) {
        writer.write(records.next());
      }
    }
  }

  /** Writes {@code <prefix>-00000-of-00001.parquet} with no rows when no file was written. */
  static final class EmptyTableFn extends DoFn<Long, Void> {
    private final String directory;
    private final String prefix;
    private final String avroJson;
    private final CompressionCodecName codec;

    EmptyTableFn(String directory, String prefix, String avroJson, CompressionCodecName codec) {
      this.directory = directory;
      this.prefix = prefix;
      this.avroJson = avroJson;
      this.codec = codec;
    }

    @ProcessElement
    public void process(@Element Long files) throws IOException {
      if (files > 0) {
        return;
      }
      ResourceId dir = FileSystems.matchNewResource(directory, true);
      ResourceId target =
          dir.resolve(prefix + "-00000-of-00001.parquet", StandardResolveOptions.RESOLVE_FILE);
      ResourceId tmp =
          dir.resolve(
              "." + prefix + "-" + UUID.randomUUID() + ".tmp", StandardResolveOptions.RESOLVE_FILE);
      org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser().parse(avroJson);
      ParquetIO.Sink sink = ParquetIO.sink(avro).withCompressionCodec(codec);
      try (WritableByteChannel channel = FileSystems.create(tmp, MimeTypes.BINARY)) {
        sink.open(channel);
        sink.flush();
      }
      FileSystems.rename(List.of(tmp), List.of(target));
    }
  }

  /** Converts rows to Avro records of the table schema. */
  static final class RowToRecordFn extends DoFn<Row, GenericRecord> {
    private final Schema schema;
    private final String avroJson;
    private transient org.apache.avro.Schema avro;

    RowToRecordFn(Schema schema, String avroJson) {
      this.schema = schema;
      this.avroJson = avroJson;
    }

    @Setup
    public void setup() {
      avro = new org.apache.avro.Schema.Parser().parse(avroJson);
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<GenericRecord> out) {
      out.output(toRecord(row, schema, avro));
    }
  }

  static GenericRecord toRecord(Row row, Schema schema, org.apache.avro.Schema avro) {
    GenericData.Record rec = new GenericData.Record(avro);
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Field f = schema.getField(i);
      org.apache.avro.Schema fieldSchema = unwrapNullable(avro.getFields().get(i).schema());
      rec.put(i, convert(row.getValue(i), f.getType(), fieldSchema));
    }
    return rec;
  }

  private static org.apache.avro.Schema unwrapNullable(org.apache.avro.Schema s) {
    if (s.getType() == org.apache.avro.Schema.Type.UNION) {
      for (org.apache.avro.Schema branch : s.getTypes()) {
        if (branch.getType() != org.apache.avro.Schema.Type.NULL) {
          return branch;
        }
      }
    }
    return s;
  }

  private static Object convert(Object v, FieldType t, org.apache.avro.Schema avro) {
    if (v == null) {
      return null;
    }
    TypeName n = t.getTypeName();
    switch (n) {
      case BYTE:
        return ((Byte) v).intValue();
      case INT16:
        return ((Short) v).intValue();
      case DATETIME:
        return ((ReadableInstant) v).getMillis() * 1000L;
      case LOGICAL_TYPE:
        {
          Instant instant = (Instant) v;
          return Math.addExact(
              Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000L);
        }
      case BYTES:
        return ByteBuffer.wrap((byte[]) v);
      case ARRAY:
      case ITERABLE:
        {
          List<Object> out = new ArrayList<>();
          FieldType e = t.getCollectionElementType();
          org.apache.avro.Schema ea = unwrapNullable(avro.getElementType());
          for (Object item : (Iterable<?>) v) {
            out.add(convert(item, e, ea));
          }
          return out;
        }
      case ROW:
        return toRecord((Row) v, t.getRowSchema(), avro);
      default:
        return v;
    }
  }
}

package io.beamline.io.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamline.io.duckdb.DuckDb;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ParquetTableIOTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final Schema SCHEMA =
      Schema.builder()
          .addStringField("id")
          .addInt32Field("small")
          .addInt64Field("big")
          .addFloatField("f")
          .addDoubleField("d")
          .addBooleanField("flag")
          .addDateTimeField("ts")
          .addLogicalTypeField("ts_us", new MicrosInstant())
          .addNullableField("maybe", FieldType.DOUBLE)
          .addArrayField("values", FieldType.FLOAT)
          .addByteArrayField("blob")
          .build();

  static Row row(int i) {
    return Row.withSchema(SCHEMA)
        .addValues(
            "r" + i,
            i,
            1_000_000_000_000L + i,
            i / 2f,
            i / 4.0,
            i % 2 == 0,
            new Instant(1_704_067_200_000L + i * 1000L),
            java.time.Instant.ofEpochSecond(1_704_067_200L, i * 1000L + 123_000L),
            i % 3 == 0 ? null : (double) i,
            List.of(1f * i, 2f * i),
            new byte[] {(byte) i, 7})
        .build();
  }

  private List<Row> rows(int n) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(row(i));
    }
    return out;
  }

  private String dir() {
    return new File(tmp.getRoot(), "table").getAbsolutePath();
  }

  /** Files a reader sees: hidden entries (Beam's emptied .temp-beam directory) excluded. */
  private static List<String> files(String dir) throws Exception {
    return visibleFiles(dir);
  }

  private static List<String> visibleFiles(String dir) throws Exception {
    try (Stream<Path> s = Files.list(Path.of(dir))) {
      return s.map(f -> f.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** Every regular file under dir, hidden ones included: no temporary file may be left. */
  private static List<String> allRegularFiles(String dir) throws Exception {
    try (Stream<Path> s = Files.walk(Path.of(dir))) {
      return s.filter(Files::isRegularFile)
          .map(f -> Path.of(dir).relativize(f).toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }

  @Test
  public void writesTypedColumnsThatDuckDbReads() throws Exception {
    p.apply(Create.of(rows(10)).withRowSchema(SCHEMA))
        .apply(ParquetTableIO.write(SCHEMA).to(dir()).withPrefix("t").withNumShards(1));
    p.run().waitUntilFinish();

    String src = "read_parquet(" + DuckDb.literal(dir() + "/t-*.parquet") + ")";
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(10, db.count("SELECT * FROM " + src));
      Map<String, String> types = db.columnTypes("SELECT * FROM " + src);
      assertEquals("VARCHAR", types.get("id"));
      assertEquals("INTEGER", types.get("small"));
      assertEquals("BIGINT", types.get("big"));
      assertEquals("FLOAT", types.get("f"));
      assertEquals("DOUBLE", types.get("d"));
      assertEquals("BOOLEAN", types.get("flag"));
      assertEquals("TIMESTAMP", types.get("ts"));
      assertEquals("TIMESTAMP", types.get("ts_us"));
      assertEquals("DOUBLE", types.get("maybe"));
      assertEquals("FLOAT[]", types.get("values"));
      assertEquals("BLOB", types.get("blob"));

      List<List<Object>> r =
          db.rows(
              "SELECT id, small, big, d, flag, CAST(ts AS VARCHAR), CAST(ts_us AS VARCHAR),"
                  + " maybe, len(\"values\"), \"values\"[2], octet_length(blob) FROM "
                  + src
                  + " WHERE id = 'r4'");
      assertEquals(
          List.of(
              "r4",
              4,
              1_000_000_000_004L,
              1.0,
              true,
              "2024-01-01 00:00:04",
              "2024-01-01 00:00:00.000127",
              4.0,
              2L,
              8.0f,
              2L),
          r.get(0));
      assertEquals(4, db.count("SELECT * FROM " + src + " WHERE maybe IS NULL"));
    }
    // Temporary files are renamed into place: no other file remains.
    assertEquals(List.of("t-00000-of-00001.parquet"), allRegularFiles(dir()));
  }

  @Test
  public void withNumShardsChangesFileCount() throws Exception {
    p.apply(Create.of(rows(30)).withRowSchema(SCHEMA))
        .apply(ParquetTableIO.write(SCHEMA).to(dir()).withNumShards(3));
    p.run().waitUntilFinish();
    assertThat(files(dir()), hasSize(3));
    assertThat(files(dir()).get(0), is("part-00000-of-00003.parquet"));
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          30, db.count("SELECT * FROM read_parquet(" + DuckDb.literal(dir() + "/*.parquet") + ")"));
    }
  }

  @Test
  public void withCompressionChangesCodec() throws Exception {
    p.apply(Create.of(rows(5)).withRowSchema(SCHEMA))
        .apply(
            ParquetTableIO.write(SCHEMA)
                .to(dir())
                .withNumShards(1)
                .withCompression(CompressionCodecName.ZSTD));
    p.run().waitUntilFinish();
    try (DuckDb db = DuckDb.inMemory()) {
      List<List<Object>> codecs =
          db.rows(
              "SELECT DISTINCT compression FROM parquet_metadata("
                  + DuckDb.literal(dir() + "/*.parquet")
                  + ")");
      assertEquals(List.of(List.of("ZSTD")), codecs);
    }
  }

  @Test
  public void rejectsUnsupportedTypesNamingTheField() {
    Schema bad = Schema.builder().addDecimalField("price").build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ParquetTableIO.write(bad));
    assertThat(e.getMessage(), containsString("'price'"));
  }

  @Test
  public void validatesArguments() {
    ParquetTableIO.Write w = ParquetTableIO.write(SCHEMA);
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> w.withNumShards(-1)).getMessage(),
        containsString("-1"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> w.withPrefix("../x")).getMessage(),
        containsString("../x"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> w.to(" ")).getMessage(),
        containsString("directory"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> w.withCompression(CompressionCodecName.LZO))
            .getMessage(),
        containsString("LZO"));
  }

  @Test
  public void requiresDirectory() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                p.apply(Create.of(rows(1)).withRowSchema(SCHEMA))
                    .apply(ParquetTableIO.write(SCHEMA)));
    assertThat(e.getMessage(), containsString("to(directory) is required"));
    p.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void emptyInputStillWritesAnEmptyTable() throws Exception {
    p.apply(Create.empty(SCHEMA)).apply(ParquetTableIO.write(SCHEMA).to(dir()).withNumShards(1));
    p.run().waitUntilFinish();
    // An empty table is still a valid Parquet file with the schema.
    try (DuckDb db = DuckDb.inMemory()) {
      String src = "read_parquet(" + DuckDb.literal(dir() + "/*.parquet") + ")";
      assertEquals(0, db.count("SELECT * FROM " + src));
      assertEquals("TIMESTAMP", db.columnTypes("SELECT * FROM " + src).get("ts"));
    }
    assertThat(visibleFiles(dir()), is(List.of("part-00000-of-00001.parquet")));
  }
}

package io.beamline.pipelines.infer.aggregate;

import io.beamline.pipelines.infer.formats.DetectionsTable;
import org.apache.beam.sdk.schemas.Schema;

/** The tables of {@code beamline infer aggregate}: what it reads, merges and counts. */
public final class AggregateTables {
  private AggregateTables() {}

  /** The canonical detection columns ({@code infer run}'s table), in order. */
  public static final Schema DETECTIONS = DetectionsTable.SCHEMA;

  /** Detections per label and time bucket. */
  public static final Schema BUCKETS =
      Schema.builder()
          .addStringField("label")
          .addInt64Field("bucket_index")
          .addDoubleField("bucket_start_s")
          .addDoubleField("bucket_end_s")
          .addInt64Field("detections")
          .addInt64Field("recordings")
          .addDoubleField("mean_confidence")
          .addDoubleField("max_confidence")
          .build();

  /**
   * The detection columns as read, the seed's nullable (a missing value is a failure record), and
   * the commit time (from the column, else the file's modification time).
   */
  static final Schema READ =
      Schema.builder()
          .addFields(nullable(DetectionsTable.SEED_COLUMNS).getFields())
          .addStringField(DetectionsTable.COMMITTED_UTC)
          .build();

  /** Database file name under {@code <output-dir>/aggregate/}. */
  public static final String DATABASE = "detections.duckdb";

  private static Schema nullable(Schema s) {
    Schema.Builder b = Schema.builder();
    for (Schema.Field f : s.getFields()) {
      b.addNullableField(f.getName(), f.getType());
    }
    return b.build();
  }
}

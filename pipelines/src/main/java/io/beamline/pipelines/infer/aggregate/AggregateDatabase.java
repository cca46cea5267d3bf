package io.beamline.pipelines.infer.aggregate;

import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code <output-dir>/aggregate/detections.duckdb}: tables {@code detections} and {@code
 * detections_per_bucket} from the graph's Parquet outputs, views {@code label_summary} and {@code
 * recording_summary}.
 */
final class AggregateDatabase {
  private AggregateDatabase() {}

  /**
   * Builds {@code detections.duckdb} under a temporary name from the graph's Parquet outputs and
   * renames it into place; returns the bucket counts.
   */
  static List<Quicklook.Bucket> write(Path out) throws IOException, SQLException {
    Path tmp = out.resolve("." + AggregateTables.DATABASE + "." + UUID.randomUUID() + ".tmp");
    String detections = DuckDb.literal(out.resolve("detections").resolve("*.parquet").toString());
    String perBucket =
        DuckDb.literal(out.resolve("detections_per_bucket").resolve("*.parquet").toString());
    List<Quicklook.Bucket> buckets = new ArrayList<>();
    try {
      try (DuckDb db = DuckDb.open(tmp)) {
        db.execute(
            "CREATE TABLE detections AS SELECT * FROM read_parquet("
                + detections
                + ") ORDER BY recording_id, start_s, chunk_id, label, confidence DESC");
        db.execute(
            "CREATE TABLE detections_per_bucket AS SELECT * FROM read_parquet("
                + perBucket
                + ") ORDER BY label, bucket_index");
        db.execute(
            "CREATE VIEW label_summary AS SELECT label, count(*) AS detections,"
                + " count(DISTINCT recording_id) AS recordings, avg(confidence) AS mean_confidence,"
                + " max(confidence) AS max_confidence FROM detections GROUP BY label");
        db.execute(
            "CREATE VIEW recording_summary AS SELECT recording_id, count(*) AS detections,"
                + " count(DISTINCT label) AS labels, count(DISTINCT chunk_id) AS chunks,"
                + " min(start_s) AS first_start_s, max(end_s) AS last_end_s"
                + " FROM detections GROUP BY recording_id");
        for (List<Object> r :
            db.rows(
                "SELECT label, bucket_index, detections FROM detections_per_bucket"
                    + " ORDER BY label, bucket_index")) {
          buckets.add(
              new Quicklook.Bucket(
                  (String) r.get(0),
                  ((Number) r.get(1)).longValue(),
                  ((Number) r.get(2)).longValue()));
        }
        db.execute("CHECKPOINT");
      }
      Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".wal"));
      AtomicFiles.moveIntoPlace(tmp, out.resolve(AggregateTables.DATABASE));
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".wal"));
    }
    return buckets;
  }
}

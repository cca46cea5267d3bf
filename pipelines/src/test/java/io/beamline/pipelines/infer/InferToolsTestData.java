package io.beamline.pipelines.infer;

import io.beamline.io.duckdb.DuckDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fixtures in the formats {@code beamline infer run} writes (the detections table) and {@code
 * beamline infer chunk} writes (manifests and chunk status), made with DuckDB and plain files.
 */
public final class InferToolsTestData {
  private InferToolsTestData() {}

  /** One detection row in the canonical column order. */
  public record Det(
      String recording, String chunk, double start, double end, String label, double conf) {}

  /**
   * Writes {@code dets} as a detections Parquet file {@code file} through DuckDB, with exactly the
   * canonical columns and types; a null label writes SQL NULL.
   */
  public static void writeDetections(Path file, List<Det> dets) throws Exception {
    Files.createDirectories(file.getParent());
    List<String> rows = new ArrayList<>();
    for (Det d : dets) {
      rows.add(
          String.format(
              Locale.ROOT,
              "('%s', '%s', %s::DOUBLE, %s::DOUBLE, %s, %s::DOUBLE, 'birdcall-cnn', '1.0',"
                  + " 'cpu-0', 'run-1')",
              d.recording(),
              d.chunk(),
              d.start(),
              d.end(),
              d.label() == null ? "NULL" : "'" + d.label() + "'",
              d.conf()));
    }
    String cols =
        "recording_id, chunk_id, start_s, end_s, label, confidence, model, model_version, worker,"
            + " run_id";
    try (DuckDb db = DuckDb.inMemory()) {
      db.execute(
          "CREATE TABLE d (recording_id VARCHAR, chunk_id VARCHAR, start_s DOUBLE, end_s DOUBLE,"
              + " label VARCHAR, confidence DOUBLE, model VARCHAR, model_version VARCHAR,"
              + " worker VARCHAR, run_id VARCHAR)");
      if (!rows.isEmpty()) {
        db.execute("INSERT INTO d (" + cols + ") VALUES " + String.join(", ", rows));
      }
      db.execute(
          "COPY (SELECT * FROM d) TO " + DuckDb.literal(file.toString()) + " (FORMAT PARQUET)");
    }
  }

  /**
   * Writes {@code manifests/<rec>.csv} with {@code chunks} chunks of 3 s and its {@code
   * .chunk_status.json} with {@code status} (no status file when status is null).
   */
  public static Path writeManifest(Path chunkDir, String rec, int chunks, String status)
      throws Exception {
    Path manifests = chunkDir.resolve("manifests");
    Files.createDirectories(manifests);
    StringBuilder csv =
        new StringBuilder(
            "recording_id,chunk_id,source_path,start_s,end_s,sample_rate,channels,sha256\n");
    for (int i = 0; i < chunks; i++) {
      String id = rec + "_" + (i * 3000) + "_" + (i * 3000 + 3000);
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%s,chunks/%s/%s.wav,%d.0,%d.0,28000,1,%064d%n",
              rec,
              id,
              rec,
              id,
              i * 3,
              i * 3 + 3,
              i));
    }
    Path m = manifests.resolve(rec + ".csv");
    Files.writeString(m, csv.toString());
    // The chunk files the rows name (planning checks they exist; their content is not read).
    for (int i = 0; i < chunks; i++) {
      Path wav =
          chunkDir
              .resolve("chunks")
              .resolve(rec)
              .resolve(rec + "_" + (i * 3000) + "_" + (i * 3000 + 3000) + ".wav");
      Files.createDirectories(wav.getParent());
      if (!Files.exists(wav)) {
        Files.createFile(wav);
      }
    }
    if (status != null) {
      Files.writeString(
          manifests.resolve(rec + ".chunk_status.json"),
          "{\"recording_id\": \""
              + rec
              + "\", \"status\": \""
              + status
              + "\", \"chunks\": "
              + chunks
              + "}\n");
    }
    return m;
  }
}

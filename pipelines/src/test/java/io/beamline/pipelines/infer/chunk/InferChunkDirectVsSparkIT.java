package io.beamline.pipelines.infer.chunk;

import static io.beamline.pipelines.infer.chunk.InferChunkTestData.files;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer chunk} on the DirectRunner and the SparkRunner (local[2]) over the same recordings
 * (good, truncated and non-WAV): every chunk file and manifest must be byte-for-byte the same, the
 * status files the same apart from their timestamps and run ids, and the chunk tables the same
 * rows.
 */
class InferChunkDirectVsSparkIT {
  @TempDir Path dir;

  private Path run(Path recordings, String runner) {
    Path out = dir.resolve(runner);
    List<String> a =
        List.of(
            "--recordings=" + recordings,
            "--outputDir=" + out,
            "--chunkSeconds=1.0",
            "--overlapSeconds=0.25",
            "--runner=" + runner,
            "--sparkMaster=local[2]");
    RunRecord r =
        Runs.run(
            new InferChunkPipeline(),
            InferChunkTestData.options(
                recordings, out, "--runner=" + runner, "--sparkMaster=local[2]"),
            a);
    // The truncated and the non-WAV recording fail: the run is partial on both runners.
    assertEquals("partial", r.status(), "run on " + runner + ": " + r.error());
    assertEquals(3, r.items().succeeded());
    assertEquals(2, r.items().failed());
    return out;
  }

  private static JsonNode withoutTimes(Path json) throws Exception {
    ObjectNode n = (ObjectNode) new ObjectMapper().readTree(json.toFile());
    n.remove("started_at");
    n.remove("updated_at");
    n.remove("run_id");
    return n;
  }

  @Test
  void directAndSparkWriteTheSameChunksAndManifests() throws Exception {
    Path recordings = dir.resolve("recordings");
    InferChunkTestData.write(recordings);
    Path direct = run(recordings, "DirectRunner");
    Path spark = run(recordings, "SparkRunner");

    for (String sub : List.of("chunks", "manifests")) {
      List<String> names = files(direct.resolve(sub));
      assertEquals(names, files(spark.resolve(sub)), sub);
      for (String f : names) {
        if (f.endsWith(".chunk_status.json")) {
          assertEquals(
              withoutTimes(direct.resolve(sub).resolve(f)),
              withoutTimes(spark.resolve(sub).resolve(f)),
              f);
        } else {
          assertArrayEquals(
              Files.readAllBytes(direct.resolve(sub).resolve(f)),
              Files.readAllBytes(spark.resolve(sub).resolve(f)),
              f);
        }
      }
    }
    assertEquals(12, files(direct.resolve("chunks")).size());
    // 3 good recordings: manifest + status; 2 bad: status only.
    assertEquals(8, files(direct.resolve("manifests")).size());

    try (DuckDb db = DuckDb.inMemory()) {
      String a =
          "read_parquet(" + DuckDb.literal(direct.resolve("chunk_table") + "/*.parquet") + ")";
      String b =
          "read_parquet(" + DuckDb.literal(spark.resolve("chunk_table") + "/*.parquet") + ")";
      assertEquals(12, db.count("SELECT * FROM " + a));
      assertEquals(12, db.count("SELECT * FROM " + b));
      assertEquals(0, db.count("SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b));
      String fa =
          "read_json_auto(" + DuckDb.literal(direct.resolve("chunk_failures") + "/*.jsonl") + ")";
      String fb =
          "read_json_auto(" + DuckDb.literal(spark.resolve("chunk_failures") + "/*.jsonl") + ")";
      assertEquals(2, db.count("SELECT * FROM " + fa));
      assertEquals(0, db.count("SELECT * FROM " + fa + " EXCEPT ALL SELECT * FROM " + fb));
    }
  }
}

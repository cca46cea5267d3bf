package io.beamline.pipelines.infer.run;

import static io.beamline.pipelines.infer.run.InferRunTestData.dataset;
import static io.beamline.pipelines.infer.run.InferRunTestData.json;
import static io.beamline.pipelines.infer.run.InferRunTestData.run;
import static io.beamline.pipelines.infer.run.InferRunTestData.stem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model always sees {@code --batch-size} rows (one shape, as a GPU wants): a manifest's last
 * batch is padded with silent rows whose outputs are dropped, and its chunks get exactly the scores
 * and detections they get in a full batch.
 */
class InferRunPaddingTest {
  @TempDir Path dir;

  @Test
  void aPaddedLastBatchGivesTheDetectionsOfAFullOne() throws Exception {
    Path root = dir.resolve("data");
    Path full = dataset(root, 9, 1, 8, 3.0, 28_000).get(0);
    // The same first 6 chunks alone: at batch size 4 their second batch holds 2 chunks + 2 pads.
    List<String> lines = Files.readAllLines(full);
    Path shortManifest = dir.resolve("short/manifests").resolve(full.getFileName());
    Files.createDirectories(shortManifest.getParent());
    Files.write(shortManifest, lines.subList(0, 1 + 6));
    Path model = InferRunTestData.model();
    String[] flags = {"--model=" + model, "--batchSize=4", "--datasetRoot=" + root};

    Path outFull = dir.resolve("out-full");
    Path outShort = dir.resolve("out-short");
    assertEquals("succeeded", run(full, outFull, flags).record().status());
    assertEquals("succeeded", run(shortManifest, outShort, flags).record().status());

    List<ChunkManifest.Entry> six = ChunkManifest.read(shortManifest);
    assertEquals(6, six.size());
    for (ChunkManifest.Entry e : six) {
      String raw = "artifacts/infer/" + e.recordingId() + "/" + e.chunkId() + ".json";
      JsonNode a = json(outFull.resolve(raw)).get("scores");
      JsonNode b = json(outShort.resolve(raw)).get("scores");
      assertEquals(a, b, e.chunkId() + ": scores in a padded batch differ from a full batch");
    }
    String stem = stem(full);
    assertEquals(6, json(outShort.resolve(stem + ".summary.json")).get("chunks").size());
    try (DuckDb db = DuckDb.inMemory()) {
      String cols = "SELECT recording_id, chunk_id, start_s, end_s, label, confidence FROM ";
      String a = table(outFull, stem) + " WHERE chunk_id IN (SELECT chunk_id FROM ";
      String fullSix = cols + a + table(outShort, stem) + ")";
      String shortSix = cols + table(outShort, stem);
      assertEquals(db.count(fullSix), db.count(shortSix));
      assertEquals(0, db.count(fullSix + " EXCEPT " + shortSix));
      assertEquals(0, db.count(shortSix + " EXCEPT " + fullSix));
    }
  }

  private static String table(Path out, String stem) {
    return "read_parquet("
        + DuckDb.literal(out.resolve("detections").resolve(stem + ".parquet").toString())
        + ")";
  }
}

package io.beamline.pipelines.infer.run;

import static io.beamline.pipelines.infer.run.InferRunTestData.json;
import static io.beamline.pipelines.infer.run.InferRunTestData.run;
import static io.beamline.pipelines.infer.run.InferRunTestData.stem;
import static io.beamline.pipelines.infer.run.InferRunTestData.telemetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.run.RunRecord;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly once, over random manifests, random injected failures, random bad chunks, random batch
 * sizes and retry budgets, and a resume: every chunk of every manifest ends in exactly one summary
 * entry; its telemetry holds attempts 1..n once each ({@code retrying} until the last); a chunk
 * that succeeded has its detection rows exactly once over all runs and a failed one none; resume
 * never touches a chunk that already succeeded.
 */
class InferRunPropertyTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void noChunkIsLostOrDuplicated(long seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    Path root = dir.resolve("data");
    int recordings = 1 + rnd.nextInt(3);
    int chunks = 2 + rnd.nextInt(9);
    List<Path> manifests = InferRunTestData.dataset(root, seed, recordings, chunks, 0.25, 22_050);
    Set<String> broken = new HashSet<>();
    for (Path m : manifests) {
      for (ChunkManifest.Entry e : ChunkManifest.read(m)) {
        if (rnd.nextInt(8) == 0) {
          Files.delete(root.resolve(e.chunkPath()));
          broken.add(e.chunkId());
        }
      }
    }
    Path out = dir.resolve("out");
    double rate1 = rnd.nextDouble(0.8);
    int retries1 = rnd.nextInt(3);
    InferRunTestData.Ran first =
        run(
            root.resolve("manifests"),
            out,
            "--stubRunner=true",
            "--minConfidence=0",
            "--injectFailureRate=" + rate1,
            "--maxRetries=" + retries1,
            "--seed=" + seed,
            "--batchSize=" + (1 + rnd.nextInt(5)),
            "--runId=first");
    assertOutcome(first);
    Map<String, JsonNode> afterFirst = check(manifests, out, "first", broken, Map.of());

    InferRunTestData.Ran second =
        run(
            root.resolve("manifests"),
            out,
            "--stubRunner=true",
            "--minConfidence=0",
            "--resumeCompleted=true",
            "--injectFailureRate=" + rnd.nextDouble(0.5),
            "--maxRetries=" + rnd.nextInt(3),
            "--seed=" + (seed + 1),
            "--batchSize=" + (1 + rnd.nextInt(5)),
            "--runId=second");
    assertOutcome(second);
    check(manifests, out, "second", broken, afterFirst);
  }

  /** A run ends {@code partial} exactly when one of its chunks has a failure record. */
  private static void assertOutcome(InferRunTestData.Ran ran) {
    RunRecord r = ran.record();
    assertTrue(r.items() != null, r.status() + ": " + r.error());
    assertEquals(r.items().failed() > 0 ? "partial" : "succeeded", r.status(), r.error());
  }

  /**
   * Checks the invariants after run {@code runId}; {@code before} holds the summary entries of the
   * previous run (chunk id to entry). Returns this run's entries.
   */
  private static Map<String, JsonNode> check(
      List<Path> manifests,
      Path out,
      String runId,
      Set<String> broken,
      Map<String, JsonNode> before)
      throws Exception {
    Map<String, JsonNode> now = new HashMap<>();
    Map<String, Long> rows = new HashMap<>();
    try (DuckDb db = DuckDb.inMemory()) {
      for (List<Object> r :
          db.rows(
              "SELECT chunk_id, count(*) FROM read_parquet("
                  + DuckDb.literal(out.resolve("detections") + "/*.parquet")
                  + ") GROUP BY chunk_id")) {
        rows.put((String) r.get(0), ((Number) r.get(1)).longValue());
      }
    }
    for (Path m : manifests) {
      String stem = stem(m);
      JsonNode summary = json(out.resolve(stem + ".summary.json"));
      assertEquals(runId, summary.get("run_id").asText());
      List<String> ids = new ArrayList<>();
      Map<String, String> recording = new HashMap<>();
      for (ChunkManifest.Entry e : ChunkManifest.read(m)) {
        ids.add(e.chunkId());
        recording.put(e.chunkId(), e.recordingId());
      }
      List<String> inSummary = new ArrayList<>();
      summary.get("chunks").fieldNames().forEachRemaining(inSummary::add);
      assertEquals(ids, inSummary, "one summary entry per chunk, in manifest order");
      List<JsonNode> lines =
          telemetry(out, stem).stream()
              .filter(l -> l.get("run_id").asText().equals(runId))
              .toList();
      for (String id : ids) {
        JsonNode c = summary.get("chunks").get(id);
        now.put(id, c);
        String status = c.get("status").asText();
        assertTrue(status.equals("succeeded") || status.equals("failed"), status);
        JsonNode previous = before.get(id);
        List<JsonNode> mine =
            lines.stream().filter(l -> l.get("chunk_id").asText().equals(id)).toList();
        if (previous != null && previous.get("status").asText().equals("succeeded")) {
          assertEquals(previous, c, "resume keeps " + id);
          assertTrue(mine.isEmpty(), "resume does not run " + id + " again");
        } else {
          int n = c.get("attempts").asInt();
          assertEquals(n, mine.size(), id + " attempts vs telemetry lines");
          for (int k = 1; k <= n; k++) {
            JsonNode l = mine.get(k - 1);
            assertEquals(k, l.get("attempt").asInt(), id);
            assertEquals(k < n ? "retrying" : status, l.get("status").asText(), id);
          }
        }
        if (broken.contains(id)) {
          assertEquals("failed", status, id);
          assertEquals(1, c.get("attempts").asInt(), id);
          assertTrue(c.get("last_error").asText().toLowerCase(Locale.ROOT).contains("not found"));
        }
        long expectedRows = status.equals("succeeded") ? 3 : 0;
        assertEquals(expectedRows, rows.getOrDefault(id, 0L), id + " detection rows over all runs");
        Path artifact = out.resolve("artifacts/infer/" + recording.get(id) + "/" + id + ".json");
        assertEquals(status.equals("succeeded"), Files.exists(artifact), artifact.toString());
      }
    }
    return now;
  }
}

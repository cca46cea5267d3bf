package io.beamline.pipelines.infer.run;

import static io.beamline.pipelines.infer.run.InferRunTestData.dataset;
import static io.beamline.pipelines.infer.run.InferRunTestData.json;
import static io.beamline.pipelines.infer.run.InferRunTestData.run;
import static io.beamline.pipelines.infer.run.InferRunTestData.stem;
import static io.beamline.pipelines.infer.run.InferRunTestData.telemetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.io.audio.WavReader;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.birdcall.EnergyDetector;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferRunPipelineTest {
  @TempDir Path dir;

  /** The one detections table of manifest {@code stem}, rows of run {@code runId}. */
  private static String parquet(Path out, String stem, String runId) {
    return "(SELECT * FROM read_parquet("
        + DuckDb.literal(out.resolve("detections").resolve(stem + ".parquet").toString())
        + ") WHERE run_id = "
        + DuckDb.literal(runId)
        + ")";
  }

  @Test
  void stubRunnerWritesDetectionsArtifactsTelemetrySummaryAndWorkers() throws Exception {
    Path root = dir.resolve("data");
    List<Path> manifests = dataset(root, 1, 2, 4, 1.0, 22_050);
    Path out = dir.resolve("out");
    InferRunTestData.Ran ran =
        run(
            root.resolve("manifests"),
            out,
            "--stubRunner=true",
            "--minConfidence=0",
            "--batchSize=3",
            "--runId=stub-1");
    assertEquals("succeeded", ran.record().status(), ran.record().error());

    try (DuckDb db = DuckDb.inMemory()) {
      for (Path m : manifests) {
        String stem = stem(m);
        String table = parquet(out, stem, "stub-1");
        try (java.util.stream.Stream<Path> files = Files.list(out.resolve("detections"))) {
          assertTrue(
              files.anyMatch(f -> f.getFileName().toString().equals(stem + ".parquet")),
              "one detections table per manifest, named after it");
        }
        // min-confidence 0: every chunk has one row per non-noise label.
        assertEquals(12, db.count("SELECT * FROM " + table));
        assertEquals(4, db.count("SELECT DISTINCT chunk_id FROM " + table));
        Map<String, String> types = db.columnTypes("SELECT * FROM " + table);
        assertEquals(
            List.of(
                "recording_id",
                "chunk_id",
                "start_s",
                "end_s",
                "label",
                "confidence",
                "model",
                "model_version",
                "worker",
                "run_id",
                "committed_utc"),
            List.copyOf(types.keySet()));
        assertEquals("VARCHAR", types.get("label"));
        assertEquals("DOUBLE", types.get("confidence"));
        assertEquals("DOUBLE", types.get("start_s"));
        assertEquals(
            1,
            db.count(
                "SELECT DISTINCT model, model_version, worker, run_id FROM "
                    + table
                    + " WHERE model = 'stub-energy' AND worker = 'cpu-0' AND run_id = 'stub-1'"));

        List<JsonNode> lines = telemetry(out, stem);
        assertEquals(4, lines.size());
        for (JsonNode l : lines) {
          for (String f :
              List.of(
                  "chunk_id",
                  "recording_id",
                  "start_utc",
                  "end_utc",
                  "worker",
                  "gpu_index",
                  "gpu_name",
                  "memory_used_bytes",
                  "runtime_s",
                  "status",
                  "attempt",
                  "error")) {
            assertTrue(l.has(f), f + " in " + l);
          }
          assertEquals("succeeded", l.get("status").asText());
          assertEquals(1, l.get("attempt").asInt());
          assertTrue(l.get("gpu_index").isNull());
          assertTrue(l.get("error").isNull());
          assertTrue(l.get("memory_used_bytes").asLong() > 0);
          assertTrue(l.get("runtime_s").asDouble() >= 0);
        }

        JsonNode summary = json(out.resolve(stem + ".summary.json"));
        assertEquals(m.toAbsolutePath().normalize().toString(), summary.get("manifest").asText());
        assertEquals("stub-1", summary.get("run_id").asText());
        assertEquals(4, summary.get("chunks").size());
        summary
            .get("chunks")
            .forEach(
                c -> {
                  assertEquals("succeeded", c.get("status").asText());
                  assertEquals(1, c.get("attempts").asInt());
                  assertEquals(0.0, c.get("last_backoff_s").asDouble());
                  assertTrue(c.get("last_error").isNull());
                });
        assertEquals(
            "worker,successes,failures,retries\ncpu-0,4,0,0\n",
            Files.readString(out.resolve(stem + ".workers.csv")));

        for (ChunkManifest.Entry e : ChunkManifest.read(m)) {
          JsonNode a =
              json(out.resolve("artifacts/infer/" + e.recordingId() + "/" + e.chunkId() + ".json"));
          assertEquals(EnergyDetector.LABELS.size(), a.get("scores").size());
          double sum = 0;
          for (JsonNode s : a.get("scores")) {
            sum += s.asDouble();
          }
          assertEquals(1.0, sum, 1e-5);
          float[] x = WavReader.read(root.resolve(e.chunkPath())).channel(0);
          float[] expected = EnergyDetector.scores(x, 22_050);
          for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], (float) a.get("scores").get(i).asDouble(), 0f);
          }
        }
      }
    }
    assertTrue(ran.stdout().contains("worker summary"), ran.stdout());
    assertTrue(ran.stdout().matches("(?s).*cpu-0\\s+8\\s+0\\s+0.*"), ran.stdout());
    assertFalse(ran.stdout().contains("WARNING"), ran.stdout());
  }

  @Test
  void modelRunScoresEveryChunkAsTheModelDoesAlone() throws Exception {
    Path model = InferRunTestData.model();
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 2, 1, 5, 3.0, 28_000).get(0);
    Path out = dir.resolve("out");
    InferRunTestData.Ran ran =
        run(manifest, out, "--model=" + model, "--batchSize=2", "--runId=model-1");
    assertEquals("succeeded", ran.record().status(), ran.record().error());
    String stem = stem(manifest);
    try (DuckDb db = DuckDb.inMemory();
        ZooModel<float[], float[]> zoo = BirdCallModel.spec(model).load(Device.cpu());
        Predictor<float[], float[]> alone = zoo.newPredictor()) {
      String table = parquet(out, stem, "model-1");
      assertEquals(
          0,
          db.count(
              "SELECT * FROM "
                  + table
                  + " WHERE model <> 'birdcall' OR model_version <> '"
                  + BirdCallModel.VERSION
                  + "' OR confidence < 0.5 OR label = 'noise'"));
      int expectedRows = 0;
      for (ChunkManifest.Entry e : ChunkManifest.read(manifest)) {
        JsonNode a =
            json(out.resolve("artifacts/infer/" + e.recordingId() + "/" + e.chunkId() + ".json"));
        assertEquals(BirdCallModel.LABELS.size(), a.get("scores").size());
        float[] single = alone.predict(WavReader.read(root.resolve(e.chunkPath())).channel(0));
        for (int i = 0; i < single.length; i++) {
          assertEquals(single[i], a.get("scores").get(i).asDouble(), 1e-4, e.chunkId());
          if (i > 0 && (float) a.get("scores").get(i).asDouble() >= 0.5f) {
            expectedRows++;
          }
        }
      }
      assertEquals(expectedRows, db.count("SELECT * FROM " + table));
    }
    JsonNode summary = json(out.resolve(stem + ".summary.json"));
    assertEquals(5, summary.get("chunks").size());
  }

  @Test
  void injectedFailuresAreRetriedWithBackoffThenFail() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 3, 1, 12, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    InferRunTestData.Ran ran =
        run(
            manifest,
            out,
            "--stubRunner=true",
            "--injectFailureRate=0.6",
            "--seed=4",
            "--backoffBaseS=0.01",
            "--batchSize=5");
    assertEquals("partial", ran.record().status(), "chunks failed for good: the run is partial");
    String stem = stem(manifest);
    JsonNode chunks = json(out.resolve(stem + ".summary.json")).get("chunks");
    List<JsonNode> lines = telemetry(out, stem);
    int retried = 0;
    int failed = 0;
    for (ChunkManifest.Entry e : ChunkManifest.read(manifest)) {
      JsonNode c = chunks.get(e.chunkId());
      assertNotNull(c, e.chunkId());
      int attempts = c.get("attempts").asInt();
      List<JsonNode> mine =
          lines.stream().filter(l -> l.get("chunk_id").asText().equals(e.chunkId())).toList();
      assertEquals(attempts, mine.size(), e.chunkId());
      for (int k = 1; k <= attempts; k++) {
        JsonNode l = mine.get(k - 1);
        assertEquals(k, l.get("attempt").asInt());
        String expected = k < attempts ? "retrying" : c.get("status").asText();
        assertEquals(expected, l.get("status").asText());
      }
      assertEquals(
          attempts == 1 ? 0.0 : 0.01 * Math.pow(2, attempts - 2),
          c.get("last_backoff_s").asDouble(),
          1e-12);
      if (c.get("status").asText().equals("failed")) {
        failed++;
        assertEquals(3, attempts);
        assertTrue(c.get("last_error").asText().startsWith("injected failure on cpu-0"));
      } else if (attempts > 1) {
        retried++;
        assertTrue(c.get("last_error").asText().startsWith("injected failure"));
      }
    }
    // With rate 0.6 over 12 chunks and seed 4, both outcomes occur (fixed by the seed).
    assertTrue(failed > 0, "some chunk failed 3 times");
    assertTrue(retried > 0, "some chunk succeeded after a retry");
    assertTrue(
        ran.stdout().contains("WARNING: " + (failed + retried) + " chunk(s) retried or failed"),
        ran.stdout());
    String workers = Files.readString(out.resolve(stem + ".workers.csv"));
    long retryLines =
        lines.stream().filter(l -> l.get("status").asText().equals("retrying")).count();
    assertEquals(
        "worker,successes,failures,retries\ncpu-0,"
            + (12 - failed)
            + ","
            + failed
            + ","
            + retryLines
            + "\n",
        workers);
  }

  @Test
  void badChunksFailAloneWithTheirReason() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 4, 1, 6, 0.5, 22_050).get(0);
    List<ChunkManifest.Entry> es = ChunkManifest.read(manifest);
    // 0: escapes the root; 1: missing; 2: corrupt (not a WAV, checksum updated); 3: changed bytes.
    Path outside = dir.resolve("outside.wav");
    Files.copy(root.resolve(es.get(0).chunkPath()), outside);
    Files.delete(root.resolve(es.get(1).chunkPath()));
    Path corrupt = root.resolve(es.get(2).chunkPath());
    Files.writeString(corrupt, "not audio");
    Path changed = root.resolve(es.get(3).chunkPath());
    byte[] b = Files.readAllBytes(changed);
    b[b.length - 1] ^= 1;
    Files.write(changed, b);
    List<ChunkManifest.Entry> edited = new java.util.ArrayList<>(es);
    edited.set(0, with(es.get(0), "../outside.wav", es.get(0).sha256()));
    edited.set(
        2, with(es.get(2), es.get(2).chunkPath(), io.beamline.io.files.Digests.sha256(corrupt)));
    Files.writeString(manifest, ChunkManifest.toCsv(edited));

    Path out = dir.resolve("out");
    InferRunTestData.Ran ran = run(manifest, out, "--stubRunner=true", "--batchSize=4");
    assertEquals("partial", ran.record().status(), "bad chunks failed: the run is partial");
    assertEquals(4, ran.record().items().failed());
    assertEquals(2, ran.record().items().succeeded());
    JsonNode chunks = json(out.resolve(stem(manifest) + ".summary.json")).get("chunks");
    String[] reasons = {"escapes the dataset root", "not found", "not readable audio", "SHA-256"};
    for (int i = 0; i < 4; i++) {
      JsonNode c = chunks.get(es.get(i).chunkId());
      assertEquals("failed", c.get("status").asText());
      assertEquals(1, c.get("attempts").asInt(), "bad chunks are not retried");
      assertTrue(c.get("last_error").asText().contains(reasons[i]), c.toString());
      assertFalse(c.get("last_error").asText().contains("\n"));
    }
    for (int i = 4; i < 6; i++) {
      assertEquals("succeeded", chunks.get(es.get(i).chunkId()).get("status").asText());
    }
    assertTrue(
        Files.readString(out.resolve(stem(manifest) + ".workers.csv")).contains("loader,0,4,0"));
  }

  private static ChunkManifest.Entry with(ChunkManifest.Entry e, String path, String sha) {
    return new ChunkManifest.Entry(
        e.recordingId(),
        e.chunkId(),
        e.sourcePath(),
        e.startS(),
        e.endS(),
        e.sampleRate(),
        e.channels(),
        sha,
        e.startMs(),
        e.endMs(),
        e.overlapMs(),
        e.notes(),
        path,
        e.sourceSampleRate(),
        e.frames(),
        e.partial());
  }

  @Test
  void wholeRunErrorsAreOneLine() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 5, 1, 2, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    InferRunPipeline def = new InferRunPipeline();

    Path noCols = dir.resolve("nocols.csv");
    Files.writeString(noCols, "recording_id,chunk_id,start_s\nr,c,0\n");
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(noCols, out, "--stubRunner=true")));
    assertTrue(
        e.getMessage().contains("lacks column(s) source_path, start_s, end_s"), e.getMessage());

    e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(dir.resolve("nope.csv"), out)));
    assertTrue(e.getMessage().startsWith("manifest not found"), e.getMessage());

    // No --model: the detector shipped in the jar, extracted and loadable.
    def.validate(InferRunTestData.options(manifest, out));
    e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(manifest, out, "--model=")));
    assertTrue(e.getMessage().startsWith("--model is empty"), e.getMessage());

    Path badModel = Files.createDirectories(dir.resolve("badmodel"));
    Files.copy(
        InferRunTestData.model().resolve("birdcall.properties"),
        badModel.resolve("birdcall.properties"));
    Files.writeString(badModel.resolve("birdcall-0000.params"), "garbage");
    e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(manifest, out, "--model=" + badModel)));
    assertTrue(e.getMessage().startsWith("cannot load --model"), e.getMessage());
    byte[] params = Files.readAllBytes(InferRunTestData.model().resolve("birdcall-0000.params"));
    Files.write(
        badModel.resolve("birdcall-0000.params"),
        java.util.Arrays.copyOf(params, params.length / 3));
    e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(manifest, out, "--model=" + badModel)));
    assertTrue(e.getMessage().startsWith("cannot load --model"), e.getMessage());

    Path emptyModel = Files.createDirectories(dir.resolve("emptymodel"));
    e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(manifest, out, "--model=" + emptyModel)));
    assertTrue(e.getMessage().startsWith("cannot use --model"), e.getMessage());

    e =
        assertThrows(
            UserInputException.class,
            () ->
                def.validate(
                    InferRunTestData.options(
                        manifest,
                        out,
                        "--stubRunner=true",
                        "--resumeSummary=" + dir.resolve("x.json"))));
    assertTrue(e.getMessage().startsWith("resume summary not found"), e.getMessage());

    Path dup = dir.resolve("dup.csv");
    List<String> lines = Files.readAllLines(manifest);
    Files.writeString(dup, lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(1) + "\n");
    e =
        assertThrows(
            UserInputException.class,
            () -> def.validate(InferRunTestData.options(dup, out, "--stubRunner=true")));
    assertTrue(e.getMessage().contains("chunk ids must be unique"), e.getMessage());

    for (String bad :
        List.of(
            "--batchSize=0", "--maxRetries=11", "--injectFailureRate=1.5", "--backoffBaseS=-1")) {
      assertThrows(
          UserInputException.class,
          () -> def.validate(InferRunTestData.options(manifest, out, "--stubRunner=true", bad)),
          bad);
    }
    for (UserInputException x : List.of(e)) {
      assertFalse(x.getMessage().contains("\n"));
    }
  }

  @Test
  void resumeSkipsSucceededChunksAndKeepsTheirEntries() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 6, 1, 8, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    String stem = stem(manifest);
    InferRunTestData.Ran first =
        run(
            manifest,
            out,
            "--stubRunner=true",
            "--injectFailureRate=0.5",
            "--maxRetries=0",
            "--seed=1",
            "--runId=first",
            "--minConfidence=0");
    assertEquals("partial", first.record().status(), first.record().error());
    JsonNode before = json(out.resolve(stem + ".summary.json")).get("chunks");
    long failedBefore = 0;
    for (JsonNode c : before) {
      failedBefore += c.get("status").asText().equals("failed") ? 1 : 0;
    }
    assertTrue(failedBefore > 0 && failedBefore < 8, "seed 1 fails some chunks: " + failedBefore);
    Path saved = dir.resolve("first.summary.json");
    Files.copy(out.resolve(stem + ".summary.json"), saved);

    InferRunTestData.Ran second =
        run(
            manifest,
            out,
            "--stubRunner=true",
            "--resumeSummary=" + saved,
            "--runId=second",
            "--minConfidence=0");
    assertEquals("succeeded", second.record().status(), second.record().error());
    JsonNode after = json(out.resolve(stem + ".summary.json"));
    assertEquals("second", after.get("run_id").asText());
    for (ChunkManifest.Entry e : ChunkManifest.read(manifest)) {
      JsonNode b = before.get(e.chunkId());
      JsonNode a = after.get("chunks").get(e.chunkId());
      assertEquals("succeeded", a.get("status").asText());
      if (b.get("status").asText().equals("succeeded")) {
        assertEquals(b, a, "kept as it was");
      }
    }
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(failedBefore * 3, db.count("SELECT * FROM " + parquet(out, stem, "second")));
      assertEquals(
          8,
          db.count(
              "SELECT DISTINCT chunk_id FROM read_parquet("
                  + DuckDb.literal(out.resolve("detections") + "/*.parquet")
                  + ")"));
      assertEquals(
          24,
          db.count(
              "SELECT * FROM read_parquet("
                  + DuckDb.literal(out.resolve("detections") + "/*.parquet")
                  + ")"),
          "each chunk's rows once, in the manifest's one table");
    }
    // Telemetry is appended: the first run's lines are still there.
    assertEquals(8 + failedBefore, telemetry(out, stem).size());
    assertTrue(
        second.stdout().contains((8 - failedBefore) + " skipped by resume"), second.stdout());
  }
}

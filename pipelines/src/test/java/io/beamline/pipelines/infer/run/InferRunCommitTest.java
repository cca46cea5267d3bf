package io.beamline.pipelines.infer.run;

import static io.beamline.pipelines.infer.run.InferRunTestData.dataset;
import static io.beamline.pipelines.infer.run.InferRunTestData.json;
import static io.beamline.pipelines.infer.run.InferRunTestData.run;
import static io.beamline.pipelines.infer.run.InferRunTestData.stem;
import static io.beamline.pipelines.infer.run.InferRunTestData.telemetry;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer run} on the commit protocol (issue #10 findings 1, 2, 3 and 6): every output is
 * derived from what is committed, a re-run replaces, a resume redoes only what is not committed,
 * and failed chunks end the run {@code partial}. Crashes are simulated inside the JVM by removing
 * what a killed run would not have committed (records, raw files, derived files) and leaving
 * temporaries; the real SIGKILL suite runs the packaged command.
 *
 * <p>Only the run's files and {@link Runs} are used, so each test also runs against the code before
 * the commit protocol, where it fails.
 */
class InferRunCommitTest {
  @TempDir Path dir;

  private static String table(Path out) {
    return "read_parquet(" + DuckDb.literal(out.resolve("detections") + "/*.parquet") + ")";
  }

  /** The chunk ids the telemetry of {@code stem} shows attempts of in run {@code runId}. */
  private static Set<String> attempted(Path out, String stem, String runId) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (JsonNode l : telemetry(out, stem)) {
      if (l.get("run_id").asText().equals(runId)) {
        ids.add(l.get("chunk_id").asText());
      }
    }
    return ids;
  }

  private static List<String> chunkIds(Path manifest) throws Exception {
    return ChunkManifest.read(manifest).stream().map(ChunkManifest.Entry::chunkId).toList();
  }

  /** Finding 2: a re-run without resume replaces the manifest's table, never adds a second one. */
  @Test
  void reRunWithoutResumeReplacesNeverDuplicates() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 31, 1, 7, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    for (String id : List.of("run-a", "run-b")) {
      InferRunTestData.Ran r =
          run(manifest, out, "--stubRunner=true", "--minConfidence=0", "--runId=" + id);
      assertEquals("succeeded", r.record().status(), r.record().error());
    }
    try (Stream<Path> s = Files.list(out.resolve("detections"))) {
      assertEquals(
          List.of(stem(manifest) + ".parquet"),
          s.map(p -> p.getFileName().toString()).sorted().toList(),
          "one table per manifest, whatever the number of runs");
    }
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(21, db.count("SELECT * FROM " + table(out)), "7 chunks x 3 labels, once");
      assertEquals(
          21, db.count("SELECT DISTINCT recording_id, chunk_id, label FROM " + table(out)));
      assertEquals(0, db.count("SELECT * FROM " + table(out) + " WHERE run_id <> 'run-b'"));
    }
  }

  /**
   * Finding 1: a run killed after its summary but before its detections were in place; the resume
   * writes the detections of every committed chunk (it never trusts the summary alone).
   */
  @Test
  void detectionsLostInTheFinalWritesAreRewrittenByTheResume() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 32, 1, 6, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    run(manifest, out, "--stubRunner=true", "--minConfidence=0", "--runId=first");
    long before;
    try (DuckDb db = DuckDb.inMemory()) {
      before = db.count("SELECT * FROM " + table(out));
    }
    assertEquals(18, before);
    // Killed between the summary and the detections table: the table is not there.
    try (Stream<Path> s = Files.list(out.resolve("detections"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.writeString(out.resolve("detections").resolve(".x.parquet.1234.tmp"), "half");

    // The same settings as the first run: a changed --min-confidence would make resume redo the
    // chunks (their config hash changes), which is not what this test is about.
    InferRunTestData.Ran resumed =
        run(
            manifest,
            out,
            "--stubRunner=true",
            "--minConfidence=0",
            "--resumeCompleted=true",
            "--runId=resume");
    assertEquals("succeeded", resumed.record().status(), resumed.record().error());
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(before, db.count("SELECT * FROM " + table(out)), "every chunk's rows again");
      assertEquals(
          0,
          db.count("SELECT * FROM " + table(out) + " WHERE run_id <> 'first'"),
          "from the commits of the first run; nothing was inferred again");
    }
    assertTrue(attempted(out, stem(manifest), "resume").isEmpty());
  }

  /**
   * Finding 1: a file where the detections directory goes (`echo x > OUT/detections`) stops the run
   * with one line naming it; earlier committed outputs stay intact and nothing claims success.
   */
  @Test
  void aFileWhereTheDetectionsDirectoryGoesIsAOneLineErrorAndNothingClaimsSuccess()
      throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 33, 1, 5, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("detections"), "x\n");
    List<String> problems = new ArrayList<>();
    try {
      InferRunTestData.Ran r = run(manifest, out, "--stubRunner=true", "--runId=blocked");
      if (!"failed".equals(r.record().status())) {
        problems.add("status " + r.record().status());
      }
    } catch (UserInputException e) {
      assertThat(e.getMessage(), containsString(out.resolve("detections").toString()));
      assertFalse(e.getMessage().contains("\n"));
    }
    Path summary = out.resolve(stem(manifest) + ".summary.json");
    if (Files.exists(summary)) {
      for (JsonNode c : json(summary).get("chunks")) {
        if (c.get("status").asText().equals("succeeded")) {
          problems.add("the summary claims a chunk succeeded without its detections");
          break;
        }
      }
    }
    assertEquals(List.of(), problems);

    // Removed, the resume completes; with the file back in place of the table's directory, the
    // next run stops again and leaves what was committed untouched.
    Files.delete(out.resolve("detections"));
    assertEquals(
        "succeeded",
        run(manifest, out, "--stubRunner=true", "--resumeCompleted=true", "--runId=ok")
            .record()
            .status());
    Path rawDir = out.resolve("artifacts/infer");
    List<String> raw;
    try (Stream<Path> s = Files.walk(rawDir)) {
      raw = s.filter(Files::isRegularFile).map(p -> p + ":" + p.toFile().length()).toList();
    }
    assertEquals(5, raw.size());
    Path detections = out.resolve("detections");
    Path moved = dir.resolve("kept-detections");
    Files.move(detections, moved);
    Files.writeString(detections, "x\n");
    assertThrows(
        UserInputException.class,
        () -> run(manifest, out, "--stubRunner=true", "--resumeCompleted=true", "--runId=again"));
    try (Stream<Path> s = Files.walk(rawDir)) {
      assertEquals(
          raw, s.filter(Files::isRegularFile).map(p -> p + ":" + p.toFile().length()).toList());
    }
    assertEquals("succeeded", json(summary).get("chunks").elements().next().get("status").asText());
  }

  /**
   * The detections directory blocked after validation (mid-run): the manifest's final writes fail
   * with one line naming the table and the fix, before the summary is touched; committed chunks
   * stay committed.
   */
  @Test
  void aDetectionsDirectoryBlockedMidRunFailsTheFinalWritesInOneLine() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 39, 1, 4, 0.5, 22_050).get(0);
    String stem = stem(manifest);
    Path out = dir.resolve("out");
    run(manifest, out, "--stubRunner=true", "--runId=first");
    String summary = Files.readString(out.resolve(stem + ".summary.json"));
    Path detections = out.resolve("detections");
    try (Stream<Path> s = Files.list(detections)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(detections);
    Files.writeString(detections, "x\n");
    var commits = io.beamline.framework.run.ItemCommits.of(out, "infer-run");
    java.io.IOException e =
        assertThrows(
            java.io.IOException.class,
            () ->
                RunFiles.write(
                    commits, out, manifest, stem, "mid", chunkIds(manifest), List.of(), 0));
    assertThat(e.getMessage(), containsString(detections.resolve(stem + ".parquet").toString()));
    assertThat(e.getMessage(), containsString("run again with --resume-completed"));
    assertFalse(e.getMessage().contains("\n"));
    assertEquals(summary, Files.readString(out.resolve(stem + ".summary.json")));
    for (String id : chunkIds(manifest)) {
      assertTrue(commits.committed(stem + "/" + id).isPresent(), id);
    }
  }

  /**
   * Finding 6 and resume at item granularity: a run killed at about 70% (some chunks never
   * committed, staged temporaries and no derived files left, its manifest still {@code running});
   * the resume redoes only the chunks that are not committed, removes the temporaries, records the
   * killed run, and its outputs equal those of an uninterrupted run with the same seed (DuckDB, all
   * but the run id and commit time).
   */
  @Test
  void aResumedChunkGetsTheModelsScoresOfAnUninterruptedRunToTheBit() throws Exception {
    // The bundled model in batches of 4: chunk 1 redone alone and chunks 4-6 redone as three must
    // see the same input rows (their batch's shape and their slot in it) as with all neighbours.
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 61, 1, 10, 3.0, 28_000).get(0);
    String stem = stem(manifest);
    String[] flags = {"--model=bundled", "--batchSize=4", "--minConfidence=0"};
    Path whole = dir.resolve("whole");
    run(manifest, whole, with(flags, "--runId=whole"));
    Path out = dir.resolve("out");
    run(manifest, out, with(flags, "--runId=first"));
    List<String> ids = chunkIds(manifest);
    io.beamline.framework.run.ItemCommits commits =
        io.beamline.framework.run.ItemCommits.of(out, "infer-run");
    List<String> redone = List.of(ids.get(1), ids.get(4), ids.get(5), ids.get(6));
    for (String id : redone) {
      Files.delete(commits.recordFile(stem + "/" + id));
    }
    run(manifest, out, with(flags, "--resumeCompleted=true", "--runId=resumed"));
    for (String id : redone) {
      assertEquals("resumed", commits.committed(stem + "/" + id).orElseThrow().runId());
      Path raw = Path.of("artifacts/infer/rec61_0/" + id + ".json");
      assertEquals(
          json(whole.resolve(raw)).get("scores"),
          json(out.resolve(raw)).get("scores"),
          id + ": scores of the resumed chunk");
    }
  }

  @Test
  void aResumeAfterAKillRedoesOnlyWhatWasNotCommittedAndMatchesAnUninterruptedRun()
      throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 34, 1, 10, 0.5, 22_050).get(0);
    String stem = stem(manifest);
    String[] flags = {
      "--stubRunner=true", "--minConfidence=0", "--injectFailureRate=0.3", "--seed=5"
    };
    Path whole = dir.resolve("whole");
    InferRunTestData.Ran uninterrupted = run(manifest, whole, with(flags, "--runId=whole"));

    Path out = dir.resolve("out");
    run(manifest, out, with(flags, "--runId=killed"));
    List<String> ids = chunkIds(manifest);
    Set<String> lost = new TreeSet<>(List.of(ids.get(1), ids.get(4), ids.get(8)));
    for (String id : lost) {
      Path record =
          out.resolve("commits/infer-run")
              .resolve(
                  io.beamline.framework.run.ItemCommits.of(out, "infer-run")
                      .recordFile(stem + "/" + id)
                      .getFileName());
      Files.deleteIfExists(record);
      Path rawFile = out.resolve("artifacts/infer/" + "rec34_0/" + id + ".json");
      Files.deleteIfExists(rawFile);
      Files.writeString(rawFile.resolveSibling("." + id + ".json.0f0f.tmp"), "{\"half");
    }
    for (Path derived :
        List.of(
            out.resolve(stem + ".summary.json"),
            out.resolve(stem + ".workers.csv"),
            out.resolve("detections/" + stem + ".parquet"))) {
      Files.deleteIfExists(derived);
    }
    // The killed run's record: still "running", its lock free (its process is gone).
    Path killedRun = out.resolve("runs/killed");
    Files.writeString(
        killedRun.resolve("manifest.json"),
        Files.readString(killedRun.resolve("manifest.json"))
            .replaceFirst("\"status\" : \"[a-z]+\"", "\"status\" : \"running\""));

    Set<String> failedBefore = new TreeSet<>();
    for (var e : json(whole.resolve(stem + ".summary.json")).get("chunks").properties()) {
      if (e.getValue().get("status").asText().equals("failed")) {
        failedBefore.add(e.getKey());
      }
    }
    InferRunTestData.Ran resumed =
        run(manifest, out, with(flags, "--resumeCompleted=true", "--runId=resumed"));
    assertEquals(uninterrupted.record().status(), resumed.record().status());
    Set<String> expected = new TreeSet<>(lost);
    expected.addAll(failedBefore); // a failure record is not a commit: those chunks run again
    assertEquals(expected, attempted(out, stem, "resumed"), "only what was not committed ran");
    assertNotEquals(ids.size(), expected.size());

    try (Stream<Path> s = Files.walk(out)) {
      assertEquals(
          List.of(),
          s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
          "no temporary is left");
    }
    assertEquals("killed", Runs.readManifest(killedRun).get("status"));

    try (DuckDb db = DuckDb.inMemory()) {
      String a = "(SELECT * EXCLUDE (run_id, committed_utc) FROM " + table(whole) + ")";
      String b = "(SELECT * EXCLUDE (run_id, committed_utc) FROM " + table(out) + ")";
      long n = db.count("SELECT * FROM " + a);
      assertTrue(n >= 15, "rows: " + n);
      assertEquals(n, db.count("SELECT * FROM " + b));
      assertEquals(0, db.count("SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b));
      assertEquals(0, db.count("SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a));
    }
    assertEquals(
        json(whole.resolve(stem + ".summary.json")).get("chunks"),
        json(out.resolve(stem + ".summary.json")).get("chunks"));
    assertEquals(
        Files.readString(whole.resolve(stem + ".workers.csv")),
        Files.readString(out.resolve(stem + ".workers.csv")));
  }

  /**
   * {@code --resume-summary F} skips a chunk F marks succeeded only when its outputs are committed
   * in the output directory; the others run again.
   */
  @Test
  void resumeSummarySkipsOnlyChunksCommittedHere() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 35, 1, 6, 0.5, 22_050).get(0);
    String stem = stem(manifest);
    Path out = dir.resolve("out");
    run(manifest, out, "--stubRunner=true", "--runId=first");
    Path saved = dir.resolve("saved.summary.json");
    Files.copy(out.resolve(stem + ".summary.json"), saved);
    List<String> ids = chunkIds(manifest);
    Set<String> gone = new TreeSet<>(List.of(ids.get(0), ids.get(3)));
    for (String id : gone) {
      Files.delete(out.resolve("artifacts/infer/rec35_0/" + id + ".json"));
    }
    InferRunTestData.Ran r =
        run(manifest, out, "--stubRunner=true", "--resumeSummary=" + saved, "--runId=second");
    assertEquals("succeeded", r.record().status(), r.record().error());
    assertEquals(gone, attempted(out, stem, "second"));
    assertThat(r.stdout(), containsString("4 skipped by resume"));
    assertThat(r.stdout(), containsString("2 chunk(s) succeeded whose outputs are not committed"));
    for (String id : ids) {
      assertTrue(Files.exists(out.resolve("artifacts/infer/rec35_0/" + id + ".json")), id);
    }
  }

  /**
   * Finding 3: chunks that failed for good have failure records and the run ends {@code partial};
   * the summary and the records agree.
   */
  @Test
  void failedChunksEndTheRunPartialWithFailureRecords() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 36, 1, 14, 0.25, 22_050).get(0);
    Path out = dir.resolve("out");
    InferRunTestData.Ran r =
        run(manifest, out, "--stubRunner=true", "--injectFailureRate=0.9", "--runId=flaky");
    assertEquals("partial", r.record().status());
    long failed = 0;
    for (JsonNode c : json(out.resolve(stem(manifest) + ".summary.json")).get("chunks")) {
      failed += c.get("status").asText().equals("failed") ? 1 : 0;
    }
    assertTrue(failed > 0);
    assertEquals(failed, r.record().items().failed());
    assertEquals(14 - failed, r.record().items().succeeded());
    assertThat(r.record().items().firstError(), containsString("injected failure"));
    assertEquals("partial", Runs.readManifest(r.record().runDir()).get("status"));
  }

  /**
   * A chunk's {@code succeeded} telemetry line is appended only after its commit: its record was
   * written no later than the line's end time, and its raw file is in place.
   */
  @Test
  void theSucceededLineFollowsTheCommit() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 37, 2, 4, 0.5, 22_050).get(0);
    Path out = dir.resolve("out");
    run(manifest, out, "--stubRunner=true", "--runId=t");
    var commits = io.beamline.framework.run.ItemCommits.of(out, "infer-run");
    List<JsonNode> lines = telemetry(out, stem(manifest));
    assertEquals(4, lines.size());
    for (JsonNode l : lines) {
      assertEquals("succeeded", l.get("status").asText());
      var record = commits.committed(stem(manifest) + "/" + l.get("chunk_id").asText());
      assertTrue(record.isPresent(), l.toString());
      assertFalse(
          Instant.parse(record.get().committedUtc())
              .isAfter(Instant.parse(l.get("end_utc").asText())),
          "committed before the line: " + l);
    }
  }

  /** Flags of the seed: raw outputs under {@code --output}, logs under {@code --log-dir}. */
  @Test
  void outputAndLogDirPutFilesWhereTheSeedSays() throws Exception {
    Path root = dir.resolve("data");
    Path manifest = dataset(root, 38, 1, 3, 0.5, 22_050).get(0);
    String stem = stem(manifest);
    Path out = dir.resolve("out");
    Path raw = out.resolve("artifacts/infer");
    Path logs = dir.resolve("scratch/logs");
    InferRunTestData.Ran r =
        run(
            manifest,
            out,
            "--stubRunner=true",
            "--output=" + raw,
            "--logDir=" + logs,
            "--runId=seed");
    assertEquals("succeeded", r.record().status(), r.record().error());
    for (String id : chunkIds(manifest)) {
      assertTrue(Files.isRegularFile(raw.resolve("rec38_0/" + id + ".json")), id);
    }
    assertFalse(Files.exists(raw.resolve("artifacts")), "not doubled");
    assertTrue(Files.isRegularFile(logs.resolve(stem + ".jsonl")));
    assertTrue(Files.isRegularFile(logs.resolve(stem + ".summary.json")));
    assertTrue(Files.isRegularFile(logs.resolve(stem + ".workers.csv")));
    assertFalse(Files.exists(out.resolve("telemetry")));
    assertFalse(Files.exists(out.resolve(stem + ".summary.json")));
    assertTrue(Files.isRegularFile(out.resolve("detections/" + stem + ".parquet")));

    // Raw outputs outside the output directory are committed and checked just the same, and the
    // temporaries a killed run left there and in the log directory are removed.
    Path elsewhere = dir.resolve("raw-elsewhere");
    run(
        manifest,
        out,
        "--stubRunner=true",
        "--output=" + elsewhere,
        "--logDir=" + logs,
        "--runId=elsewhere");
    String first = chunkIds(manifest).get(0);
    Files.delete(elsewhere.resolve("rec38_0/" + first + ".json"));
    Path rawTemp = elsewhere.resolve("rec38_0/." + first + ".json.1a2b.tmp");
    Files.writeString(rawTemp, "{\"half");
    Path logTemp = logs.resolve("." + stem + ".summary.json.3c4d.tmp");
    Files.writeString(logTemp, "{\"half");
    Path otherTemp = logs.resolve(".someone-else.json.5e6f.tmp");
    Files.writeString(otherTemp, "not ours");
    run(
        manifest,
        out,
        "--stubRunner=true",
        "--output=" + elsewhere,
        "--logDir=" + logs,
        "--resumeCompleted=true",
        "--runId=again");
    Set<String> again = new TreeSet<>();
    for (String l : Files.readAllLines(logs.resolve(stem + ".jsonl"))) {
      JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
      if (n.get("run_id").asText().equals("again")) {
        again.add(n.get("chunk_id").asText());
      }
    }
    assertEquals(Set.of(first), again);
    assertFalse(Files.exists(rawTemp));
    assertFalse(Files.exists(logTemp));
    assertTrue(Files.exists(otherTemp), "another program's temporary in the log directory stays");
  }

  private static String[] with(String[] flags, String... more) {
    List<String> all = new ArrayList<>(List.of(flags));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}

package io.beamline.pipelines.infer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import io.beamline.pipelines.infer.formats.ReviewFormat;
import io.beamline.pipelines.infer.formats.Selection;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;

/**
 * What {@code infer run} commits per chunk, and the per-manifest files derived from those commits.
 *
 * <p>A chunk's commit record ({@link ItemCommits}, item {@code <stem>/<chunk_id>}) holds in its
 * details the chunk's manifest values, model, worker, {@code min_confidence}, its {@code
 * detections} ({@code [{label, confidence}]}, the non-noise labels scoring at least {@code
 * min_confidence}) and its {@code attempts} ({@code [{attempt, worker, status, error,
 * backoff_s}]}); a failed chunk's record holds the same without detections.
 *
 * <p>Derived from the records of all of a manifest's chunks, whichever run committed them ({@link
 * #write}), in this order: {@code <output-dir>/detections/<stem>.parquet} ({@link
 * DetectionsTable}), {@code <stem>.summary.json} (chunk id to {@code status, attempts,
 * last_backoff_s, last_error}; what {@code --resume-summary} reads) and {@code <stem>.workers.csv}
 * (successes, failures and retries per worker, over the attempts the records hold), each written
 * atomically. A chunk is {@code succeeded} there only when its record says so and its raw score
 * file is present as committed; a chunk without a record is left out.
 */
final class RunFiles {
  private RunFiles() {}

  static Path summaryFile(Path dir, String stem) {
    return dir.resolve(stem + ".summary.json");
  }

  static Path workersFile(Path dir, String stem) {
    return dir.resolve(stem + ".workers.csv");
  }

  /** {@code <output-dir>/detections/<stem>.parquet}: the one detections table of a manifest. */
  static Path detectionsFile(Path outputDir, String stem) {
    return outputDir.resolve("detections").resolve(RunPaths.safe(stem) + ".parquet");
  }

  /** {@code <output-dir>/exports/}: the review files of {@code --export}. */
  static Path exportsDir(Path outputDir) {
    return outputDir.resolve("exports");
  }

  /** Per-worker counts. */
  record WorkerCounts(long successes, long failures, long retries) {
    WorkerCounts plus(WorkerCounts o) {
      return new WorkerCounts(successes + o.successes, failures + o.failures, retries + o.retries);
    }
  }

  /**
   * The chunk entries of a summary file, by chunk id, in file order.
   *
   * @throws UserInputException naming the file when it is missing or not a summary
   */
  static Map<String, JsonNode> readChunks(Path summary, String flag) {
    if (!Files.isRegularFile(summary)) {
      throw new UserInputException(
          "resume summary not found: " + summary + " (" + flag + "); give a *.summary.json file");
    }
    JsonNode root;
    try {
      root = Attempts.JSON.readTree(summary.toFile());
    } catch (IOException e) {
      throw new UserInputException(
          "resume summary "
              + summary
              + " is not JSON ("
              + e.getMessage().replaceAll("\\s+", " ")
              + "); give a *.summary.json file written by infer run",
          e);
    }
    JsonNode chunks = root == null ? null : root.get("chunks");
    if (chunks == null || !chunks.isObject()) {
      throw new UserInputException(
          "resume summary " + summary + " has no \"chunks\" object; is it an infer run summary?");
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = chunks.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** Whether a summary entry records a success. */
  static boolean succeeded(JsonNode entry) {
    return entry != null && TelemetryLog.SUCCEEDED.equals(entry.path("status").asText());
  }

  /** The details of a chunk that succeeded on {@code worker} with {@code scores}. */
  static Map<String, Object> succeededDetails(
      ChunkTask t,
      String model,
      String version,
      String worker,
      List<String> labels,
      float[] scores,
      double minConfidence) {
    Map<String, Object> d = common(t, model, version, worker);
    d.put("min_confidence", minConfidence);
    List<Map<String, Object>> detections = new ArrayList<>();
    for (int j = 1; j < labels.size(); j++) { // index 0 is noise in both label sets
      if (scores[j] >= minConfidence) {
        Map<String, Object> det = new LinkedHashMap<>();
        det.put("label", labels.get(j));
        det.put("confidence", (double) scores[j]);
        detections.add(det);
      }
    }
    d.put("detections", detections);
    d.put("attempts", attempts(t, worker, TelemetryLog.SUCCEEDED, null));
    return d;
  }

  /** The details of a chunk whose last attempt failed on {@code worker} with {@code error}. */
  static Map<String, Object> failedDetails(
      ChunkTask t, String model, String version, String worker, String error) {
    Map<String, Object> d = common(t, model, version, worker);
    d.put("attempts", attempts(t, worker, TelemetryLog.FAILED, error));
    return d;
  }

  private static Map<String, Object> common(
      ChunkTask t, String model, String version, String worker) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("stem", t.stem());
    d.put("recording_id", t.recordingId());
    d.put("chunk_id", t.chunkId());
    d.put("start_s", t.startS());
    d.put("end_s", t.endS());
    d.put("model", model);
    d.put("model_version", version);
    d.put("worker", worker);
    d.put(ItemCommits.INPUT_DIGEST, t.inputDigest());
    return d;
  }

  /** Every attempt of this run for {@code t}: those retried, then the last one. */
  private static List<Map<String, Object>> attempts(
      ChunkTask t, String worker, String status, String error) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ChunkTask.Retried r : t.retried()) {
      out.add(attempt(r.attempt(), r.worker(), TelemetryLog.RETRYING, r.error(), r.backoffS()));
    }
    out.add(attempt(t.attempt(), worker, status, error, t.backoffS()));
    return out;
  }

  private static Map<String, Object> attempt(
      int n, String worker, String status, String error, double backoffS) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("attempt", n);
    a.put("worker", worker);
    a.put("status", status);
    a.put("error", error);
    a.put("backoff_s", backoffS);
    return a;
  }

  /**
   * The record of each chunk of {@code order} that ended: succeeded with its outputs present as
   * committed, or failed; in manifest order. Chunks without such a record are left out.
   */
  static List<CommitRecord> outcomes(ItemCommits commits, String stem, List<String> order) {
    List<CommitRecord> out = new ArrayList<>();
    for (String id : order) {
      commits
          .read(ChunkTask.itemKey(stem, id))
          .filter(r -> !r.succeeded() || commits.outputsPresent(r))
          .ifPresent(out::add);
    }
    return out;
  }

  /**
   * Writes the detections table, summary and workers file of manifest {@code stem} from the commit
   * records of its chunks ({@link #outcomes}); then removes the per-run detections files an earlier
   * version wrote for it ({@code <stem>.<run-id>-NNNNN-of-NNNNN.parquet}), now replaced.
   *
   * <p>Then, with {@code exports} ({@code --export}), the review files of each of the manifest's
   * recordings under {@code <output-dir>/exports/}, from the same committed rows at or above {@code
   * minConfidence} ({@link ReviewFormat#export}).
   *
   * @param summaryDir where the summary and workers files go
   * @param order the manifest's chunk ids in order
   */
  static void write(
      ItemCommits commits,
      Path summaryDir,
      Path manifest,
      String stem,
      String runId,
      List<String> order,
      List<ReviewFormat> exports,
      double minConfidence)
      throws IOException {
    List<CommitRecord> outcomes = outcomes(commits, stem, order);
    Path table = detectionsFile(commits.outputDir(), stem);
    List<Row> rows = detectionRows(outcomes);
    try {
      DetectionsTable.write(table, rows);
    } catch (IOException e) {
      // Innermost message on purpose: it is what the run's one-line error shows.
      throw new IOException(
          "cannot write the detections table "
              + table
              + ": "
              + Runs.oneLine(e)
              + "; make "
              + table.getParent()
              + " a writable directory and run again with --resume-completed (committed chunks"
              + " are kept)");
    }
    removeReplacedTables(table.getParent(), stem, new HashSet<>(order));
    if (!exports.isEmpty()) {
      // Derived from the table's rows only, after it is in place: an export never shows a chunk
      // the table does not hold.
      List<Selection> selections = new ArrayList<>();
      rows.forEach(r -> selections.add(Selection.ofDetection(r.getValues())));
      Set<String> recordings = new TreeSet<>();
      outcomes.forEach(r -> recordings.add((String) r.details().get("recording_id")));
      ReviewFormat.export(
          exportsDir(commits.outputDir()), recordings, selections, exports, minConfidence);
    }
    AtomicFiles.writeString(summaryFile(summaryDir, stem), summary(manifest, runId, outcomes));
    AtomicFiles.writeString(workersFile(summaryDir, stem), workersCsv(outcomes));
  }

  /** The detection rows of the chunks that succeeded, in manifest order, labels in model order. */
  static List<Row> detectionRows(List<CommitRecord> outcomes) {
    List<Row> rows = new ArrayList<>();
    for (CommitRecord r : outcomes) {
      if (!r.succeeded()) {
        continue;
      }
      Map<String, Object> d = r.details();
      String committed = DetectionsTable.time(r.committedUtc());
      for (Object o : (List<?>) d.get("detections")) {
        Map<?, ?> det = (Map<?, ?>) o;
        rows.add(
            Row.withSchema(DetectionsTable.SCHEMA)
                .addValues(
                    (String) d.get("recording_id"),
                    (String) d.get("chunk_id"),
                    number(d.get("start_s")),
                    number(d.get("end_s")),
                    (String) det.get("label"),
                    number(det.get("confidence")),
                    (String) d.get("model"),
                    (String) d.get("model_version"),
                    (String) d.get("worker"),
                    r.runId(),
                    committed)
                .build());
      }
    }
    return rows;
  }

  private static double number(Object o) {
    return ((Number) o).doubleValue();
  }

  /**
   * Deletes {@code <stem>.<run-id>-NNNNN-of-NNNNN.parquet} files in {@code dir} whose rows all
   * belong to chunks of this manifest (a longer stem that starts the same is not this manifest).
   */
  static void removeReplacedTables(Path dir, String stem, Set<String> chunkIds) throws IOException {
    Pattern perRun =
        Pattern.compile(Pattern.quote(RunPaths.safe(stem)) + "\\..+-\\d{5}-of-\\d{5}\\.parquet");
    List<Path> candidates;
    try (Stream<Path> s = Files.list(dir)) {
      candidates =
          s.filter(p -> perRun.matcher(p.getFileName().toString()).matches())
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    }
    for (Path f : candidates) {
      boolean[] mine = {true};
      DetectionsTable.read(
          f,
          row -> {
            Object chunk = row.values().get(1);
            mine[0] &= chunk != null && chunkIds.contains(chunk.toString());
          });
      if (mine[0]) {
        Files.delete(f);
      }
    }
  }

  /** The summary: {@code {"manifest", "run_id", "chunks": {chunk_id: {status, ...}}}}. */
  static String summary(Path manifest, String runId, List<CommitRecord> outcomes)
      throws IOException {
    ObjectNode root = Attempts.JSON.createObjectNode();
    root.put("manifest", manifest.toString());
    root.put("run_id", runId);
    ObjectNode chunks = root.putObject("chunks");
    for (CommitRecord r : outcomes) {
      List<?> attempts = (List<?>) r.details().get("attempts");
      Map<?, ?> last = (Map<?, ?>) attempts.get(attempts.size() - 1);
      String lastError = null;
      for (Object o : attempts) {
        Object e = ((Map<?, ?>) o).get("error");
        if (e != null) {
          lastError = e.toString();
        }
      }
      ObjectNode e = chunks.putObject((String) r.details().get("chunk_id"));
      e.put("status", r.status());
      e.put("attempts", ((Number) last.get("attempt")).intValue());
      e.put("last_backoff_s", number(last.get("backoff_s")));
      if (lastError == null) {
        e.putNull("last_error");
      } else {
        e.put("last_error", lastError);
      }
    }
    return Attempts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }

  /** {@code worker,successes,failures,retries} over every attempt the records hold. */
  static String workersCsv(List<CommitRecord> outcomes) {
    Map<String, WorkerCounts> workers = new TreeMap<>();
    for (CommitRecord r : outcomes) {
      for (Object o : (List<?>) r.details().get("attempts")) {
        Map<?, ?> a = (Map<?, ?>) o;
        String status = String.valueOf(a.get("status"));
        WorkerCounts c =
            new WorkerCounts(
                TelemetryLog.SUCCEEDED.equals(status) ? 1 : 0,
                TelemetryLog.FAILED.equals(status) ? 1 : 0,
                TelemetryLog.RETRYING.equals(status) ? 1 : 0);
        workers.merge(String.valueOf(a.get("worker")), c, WorkerCounts::plus);
      }
    }
    StringBuilder csv = new StringBuilder("worker,successes,failures,retries\n");
    for (Map.Entry<String, WorkerCounts> w : workers.entrySet()) {
      WorkerCounts c = w.getValue();
      csv.append(w.getKey())
          .append(',')
          .append(c.successes())
          .append(',')
          .append(c.failures())
          .append(',')
          .append(c.retries())
          .append('\n');
    }
    return csv.toString();
  }

  /** Reads a workers CSV this class wrote. */
  static Map<String, WorkerCounts> readWorkers(Path csv) throws IOException {
    Map<String, WorkerCounts> out = new TreeMap<>();
    List<String> lines = Files.readAllLines(csv);
    for (int i = 1; i < lines.size(); i++) {
      String[] c = lines.get(i).split(",");
      if (c.length == 4) {
        out.put(
            c[0],
            new WorkerCounts(Long.parseLong(c[1]), Long.parseLong(c[2]), Long.parseLong(c[3])));
      }
    }
    return out;
  }
}

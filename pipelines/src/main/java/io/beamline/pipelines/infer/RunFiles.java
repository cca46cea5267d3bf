package io.beamline.pipelines.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-manifest files of an {@code infer run}: {@code <stem>.summary.json} (chunk id to status,
 * attempts, last backoff and last error; what resume reads) and {@code <stem>.workers.csv}
 * (successes, failures and retries per worker), both under the output directory and written
 * atomically.
 */
final class RunFiles {
  private RunFiles() {}

  static Path summaryFile(Path outputDir, String stem) {
    return outputDir.resolve(stem + ".summary.json");
  }

  static Path workersFile(Path outputDir, String stem) {
    return outputDir.resolve(stem + ".workers.csv");
  }

  /** Per-worker counts of one run. */
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
    return entry != null && Attempts.SUCCEEDED.equals(entry.path("status").asText());
  }

  /**
   * Writes the summary and workers files of one manifest from this run's telemetry lines and the
   * entries kept from the resumed summary.
   *
   * @param order the manifest's chunk ids in order
   * @param kept entries of chunks this run skipped, copied as they were
   */
  static void write(
      Path outputDir,
      Path manifest,
      String stem,
      String runId,
      List<String> order,
      Map<String, JsonNode> kept,
      List<String> lines)
      throws IOException {
    Map<String, List<JsonNode>> byChunk = new LinkedHashMap<>();
    Map<String, WorkerCounts> workers = new TreeMap<>();
    for (String l : lines) {
      JsonNode n = Attempts.parse(l);
      byChunk.computeIfAbsent(n.get("chunk_id").asText(), k -> new ArrayList<>()).add(n);
      String status = n.get("status").asText();
      WorkerCounts c =
          new WorkerCounts(
              Attempts.SUCCEEDED.equals(status) ? 1 : 0,
              Attempts.FAILED.equals(status) ? 1 : 0,
              Attempts.RETRYING.equals(status) ? 1 : 0);
      workers.merge(n.get("worker").asText(), c, WorkerCounts::plus);
    }
    ObjectNode root = Attempts.JSON.createObjectNode();
    root.put("manifest", manifest.toString());
    root.put("run_id", runId);
    ObjectNode chunks = root.putObject("chunks");
    for (String id : order) {
      JsonNode k = kept.get(id);
      List<JsonNode> attempts = byChunk.get(id);
      if (attempts == null || attempts.isEmpty()) {
        if (k != null) {
          chunks.set(id, k);
        }
        continue;
      }
      attempts.sort((a, b) -> Integer.compare(a.get("attempt").asInt(), b.get("attempt").asInt()));
      JsonNode last = attempts.get(attempts.size() - 1);
      String lastError = null;
      for (JsonNode a : attempts) {
        if (!a.path("error").isNull() && !a.path("error").isMissingNode()) {
          lastError = a.get("error").asText();
        }
      }
      ObjectNode e = chunks.putObject(id);
      e.put("status", last.get("status").asText());
      e.put("attempts", last.get("attempt").asInt());
      e.put("last_backoff_s", last.path("backoff_s").asDouble());
      if (lastError == null) {
        e.putNull("last_error");
      } else {
        e.put("last_error", lastError);
      }
    }
    AtomicFiles.writeString(
        summaryFile(outputDir, stem),
        Attempts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
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
    AtomicFiles.writeString(workersFile(outputDir, stem), csv.toString());
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

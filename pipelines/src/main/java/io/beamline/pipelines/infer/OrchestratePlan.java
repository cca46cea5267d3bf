package io.beamline.pipelines.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.pipelines.UserInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What {@code beamline infer orchestrate} found under a chunk output directory: one entry per
 * recording, from {@code manifests/<recording>.csv} and {@code
 * manifests/<recording>.chunk_status.json} as {@code beamline infer chunk} writes them.
 */
final class OrchestratePlan {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The status {@code infer chunk} gives a fully chunked recording. */
  static final String COMPLETED = "completed";

  /** One recording: its manifest (null when chunking left none), chunk count and chunk status. */
  record Recording(String id, Path manifest, long chunks, String status, String reason) {
    boolean completed() {
      return COMPLETED.equals(status);
    }
  }

  private OrchestratePlan() {}

  /** The recordings under {@code <dir>/manifests}, sorted by id. */
  static List<Recording> scan(Path dir) {
    Path manifests = dir.resolve("manifests");
    if (!Files.isDirectory(manifests)) {
      throw new UserInputException(
          "no manifests/ directory under "
              + dir
              + "; give the --output-dir of 'beamline infer chunk' (it holds manifests/*.csv)");
    }
    Map<String, Path> csv = new TreeMap<>();
    Map<String, Path> status = new TreeMap<>();
    try (Stream<Path> s = Files.list(manifests)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        if (name.endsWith(".chunk_status.json")) {
          status.put(name.substring(0, name.length() - ".chunk_status.json".length()), f);
        } else if (name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
          csv.put(name.substring(0, name.length() - ".csv".length()), f);
        }
      }
    } catch (IOException e) {
      throw new UserInputException("cannot list " + manifests + ": " + e.getMessage());
    }
    if (csv.isEmpty() && status.isEmpty()) {
      throw new UserInputException(
          "no chunk manifests in "
              + manifests
              + "; run 'beamline infer chunk --output-dir "
              + dir
              + "' first");
    }
    TreeMap<String, Recording> out = new TreeMap<>();
    for (String id : union(csv, status)) {
      Path m = csv.get(id);
      String[] st = status(status.get(id));
      out.put(id, new Recording(id, m, m == null ? 0 : chunkCount(m), st[0], st[1]));
    }
    return List.copyOf(out.values());
  }

  private static List<String> union(Map<String, Path> a, Map<String, Path> b) {
    TreeMap<String, Boolean> ids = new TreeMap<>();
    a.keySet().forEach(k -> ids.put(k, true));
    b.keySet().forEach(k -> ids.put(k, true));
    return List.copyOf(ids.keySet());
  }

  /** {@code [status, reason]} from a status file; {@code missing}/{@code unreadable} otherwise. */
  static String[] status(Path file) {
    if (file == null) {
      return new String[] {"missing", null};
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.hasNonNull("status")) {
        return new String[] {"unreadable", null};
      }
      return new String[] {
        n.get("status").asText(), n.hasNonNull("reason") ? n.get("reason").asText() : null
      };
    } catch (IOException e) {
      return new String[] {"unreadable", null};
    }
  }

  /** Data rows of a manifest CSV (non-blank lines after the header). */
  static long chunkCount(Path manifest) {
    try (BufferedReader r = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null || !List.of(header.split(",")).contains("chunk_id")) {
        throw new UserInputException(
            "manifest "
                + manifest
                + " has no chunk_id column in its header; regenerate it with 'beamline infer"
                + " chunk'");
      }
      return r.lines().filter(l -> !l.isBlank()).count();
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException("cannot read manifest " + manifest + ": " + e.getMessage());
    }
  }

  /**
   * The resume summary {@code infer run} left for manifest {@code stem} in {@code runOutput}:
   * {@code <stem>.summary.json} there or under {@code telemetry/}; null when there is none.
   */
  static Path resumeSummary(Path runOutput, String stem) {
    for (Path p :
        List.of(
            runOutput.resolve(stem + ".summary.json"),
            runOutput.resolve("telemetry").resolve(stem + ".summary.json"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /** Quotes a word for a POSIX shell when it needs it. */
  static String shellQuote(String s) {
    if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }

  /** A command line as a shell would read it. */
  static String shellLine(List<String> words) {
    List<String> q = new ArrayList<>();
    for (String w : words) {
      q.add(shellQuote(w));
    }
    return String.join(" ", q);
  }
}

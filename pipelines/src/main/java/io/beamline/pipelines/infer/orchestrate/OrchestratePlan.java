package io.beamline.pipelines.infer.orchestrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.UserInputException;
import io.beamline.io.json.Json;
import io.beamline.pipelines.infer.chunk.ChunkAudio;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.pipelines.infer.run.ChunkTask;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * recording, from {@code <manifest-dir>/<recording>.csv} and the recording's chunk status file as
 * {@code beamline infer chunk} writes it ({@code <manifest-dir>/<recording>.chunk_status.json}) or
 * as the seed lays it out ({@code <chunks-dir>/<recording>/.chunk_status.json}).
 */
public final class OrchestratePlan {
  private static final ObjectMapper JSON = Json.MAPPER;

  /** The status {@code infer chunk} gives a fully chunked recording. */
  static final String COMPLETED = "completed";

  /** Status file name suffix next to the manifests ({@code infer chunk}'s layout). */
  static final String STATUS_SUFFIX = ".chunk_status.json";

  /** Status file name inside a recording's chunk directory (the seed's layout). */
  static final String SEED_STATUS = ".chunk_status.json";

  /**
   * One recording: its manifest (null when chunking left none), chunk count, chunk status, the
   * reason of a failed status, and the status file (where it was found, else where it belongs).
   */
  record Recording(
      String id, Path manifest, long chunks, String status, String reason, Path statusFile) {
    boolean completed() {
      return COMPLETED.equals(status);
    }
  }

  /**
   * Where the manifests and chunk status files are.
   *
   * @param manifestDir the directory of {@code <recording>.csv} manifests
   * @param chunksDir {@code --chunks-dir}: status files are read from {@code
   *     <chunks-dir>/<recording>/.chunk_status.json} or {@code
   *     <chunks-dir>/<recording>.chunk_status.json}; null: next to the manifests, else {@code
   *     <dataset>/artifacts/chunks/<recording>/.chunk_status.json}
   * @param dataset the directory orchestrate was given
   */
  record Layout(Path manifestDir, Path chunksDir, Path dataset) {
    /** The places a recording's status file may be, first match wins. */
    List<Path> statusCandidates(String id) {
      if (chunksDir != null) {
        return List.of(
            chunksDir.resolve(id).resolve(SEED_STATUS), chunksDir.resolve(id + STATUS_SUFFIX));
      }
      return List.of(
          manifestDir.resolve(id + STATUS_SUFFIX),
          dataset.resolve("artifacts").resolve("chunks").resolve(id).resolve(SEED_STATUS));
    }

    /** Directories whose status files name recordings that may have no manifest. */
    private List<Path> statusDirs() {
      return chunksDir != null
          ? List.of(chunksDir)
          : List.of(manifestDir, dataset.resolve("artifacts").resolve("chunks"));
    }
  }

  private OrchestratePlan() {}

  /** The recordings found through {@code layout}, sorted by id. */
  static List<Recording> scan(Layout layout) {
    Path manifests = layout.manifestDir();
    if (!Files.isDirectory(manifests)) {
      throw new UserInputException(
          "no manifest directory "
              + manifests
              + " (--manifest-dir, default DIRECTORY/manifests); give the --output-dir of"
              + " 'beamline infer chunk' (it holds manifests/*.csv) or --manifest-dir");
    }
    if (layout.chunksDir() != null && !Files.isDirectory(layout.chunksDir())) {
      throw new UserInputException(
          "chunks directory not found: "
              + layout.chunksDir()
              + " (--chunks-dir); give the directory holding <recording>/.chunk_status.json");
    }
    Map<String, Path> csv = new TreeMap<>();
    TreeMap<String, Boolean> ids = new TreeMap<>();
    try (Stream<Path> s = Files.list(manifests)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || name.endsWith(STATUS_SUFFIX)) {
          continue;
        }
        if (name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
          String id = name.substring(0, name.length() - ".csv".length());
          csv.put(id, f);
          ids.put(id, true);
        }
      }
      for (Path d : layout.statusDirs()) {
        statusIds(d).forEach(id -> ids.put(id, true));
      }
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException("cannot list " + manifests + ": " + e.getMessage());
    }
    if (ids.isEmpty()) {
      throw new UserInputException(
          "no chunk manifests in "
              + manifests
              + "; run 'beamline infer chunk --output-dir "
              + layout.dataset()
              + "' first");
    }
    List<Recording> out = new ArrayList<>();
    for (String id : ids.keySet()) {
      Path m = csv.get(id);
      List<Path> candidates = layout.statusCandidates(id);
      Path statusFile =
          candidates.stream().filter(Files::isRegularFile).findFirst().orElse(candidates.get(0));
      String[] st = status(Files.isRegularFile(statusFile) ? statusFile : null);
      out.add(
          new Recording(
              id,
              m,
              m == null ? 0 : chunkCount(m, "completed".equals(st[0])),
              st[0],
              st[1],
              statusFile));
    }
    return List.copyOf(out);
  }

  /**
   * Recording ids named by status files in {@code dir}: {@code <id>.chunk_status.json} files and
   * {@code <id>/.chunk_status.json} in subdirectories.
   */
  private static List<String> statusIds(Path dir) throws IOException {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return ids;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        if (Files.isRegularFile(f) && name.endsWith(STATUS_SUFFIX)) {
          ids.add(name.substring(0, name.length() - STATUS_SUFFIX.length()));
        } else if (Files.isRegularFile(f.resolve(SEED_STATUS))) {
          ids.add(name);
        }
      }
    }
    return ids;
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
  /**
   * The chunks of {@code manifest}, read as {@code infer run} reads it, so a manifest it would
   * refuse is refused here, before any run is planned; so is a row whose chunk file lies outside
   * the dataset, and, for a recording whose chunking says {@code completed}, a missing chunk file
   * (the dataset is broken; a partly chunked one, planned with {@code --allow-partial-chunks}, may
   * lack files).
   */
  static long chunkCount(Path manifest, boolean completed) {
    ChunkManifest.Manifest m = ChunkManifest.readOne(manifest, ChunkManifest.root(manifest, null));
    for (ChunkTask t : m.chunks()) {
      try {
        ChunkAudio.resolve(t);
      } catch (ChunkAudio.BadChunk e) {
        boolean missing = e.getMessage().contains("not found");
        if (!missing || completed) {
          throw new UserInputException(
              "manifest " + manifest + " line " + (t.order() + 2) + ": " + e.getMessage());
        }
      }
    }
    return m.chunks().size();
  }

  /**
   * The summary an earlier {@code infer run} of manifest {@code stem} left: with a log directory
   * ({@code --log-dir} of the runs) {@code <log-dir>/<stem>.summary.json}, else {@code
   * <stem>.summary.json} in {@code runOutput} or under its {@code telemetry/}; null when there is
   * none.
   */
  static Path summary(Path runOutput, Path logDir, String stem) {
    List<Path> candidates =
        logDir != null
            ? List.of(logDir.resolve(stem + ".summary.json"))
            : List.of(
                runOutput.resolve(stem + ".summary.json"),
                runOutput.resolve("telemetry").resolve(stem + ".summary.json"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}

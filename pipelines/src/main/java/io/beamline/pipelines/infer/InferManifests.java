package io.beamline.pipelines.infer;

import io.beamline.framework.UserInputException;
import io.beamline.pipelines.infer.run.ChunkTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads the chunk manifests given to {@code infer run}: one CSV file, or every {@code *.csv} in a
 * directory (sorted by name). Columns are found by name, so any manifest with the columns
 * works, not only those {@code infer chunk} writes.
 *
 * <p>Required columns: {@value #REQUIRED_TEXT}. The span is {@code start_s, end_s} (what {@code
 * infer chunk} writes) or, in BADC's own manifests (seed 002: {@code recording_id, chunk_id,
 * source_path, start_ms, end_ms, overlap_ms, sha256, notes}), {@code start_ms, end_ms}; other
 * columns ({@code sample_rate, channels, overlap_ms, notes}) are read from the audio or ignored. An
 * empty or missing {@code sha256} is not checked. The chunk's audio is the {@code chunk_path}
 * column when the manifest has one and it is non-empty, else {@code source_path}; a relative path
 * resolves against the dataset root: {@code --dataset-root} when given, else the parent of the
 * manifest's directory when that directory is called {@code manifests} (the {@code infer chunk}
 * layout), else the manifest's directory.
 */
public final class InferManifests {
  static final List<String> REQUIRED = List.of("recording_id", "chunk_id", "source_path");
  static final String REQUIRED_TEXT =
      "recording_id, chunk_id, source_path and start_s, end_s (or BADC's start_ms, end_ms)";

  private InferManifests() {}

  /** One manifest's chunks. */
  public record Manifest(Path path, String stem, Path root, List<ChunkTask> chunks) {}

  /** The manifest files named by {@code --manifest}, sorted; at least one. */
  public static List<Path> files(String manifest) {
    if (manifest == null || manifest.isBlank()) {
      throw new UserInputException(
          "--manifest is required: give a chunk manifest CSV (or a directory of them),"
              + " e.g. --manifest out/manifests/rec1.csv");
    }
    Path p = Paths.get(manifest).toAbsolutePath().normalize();
    if (Files.isRegularFile(p)) {
      return List.of(p);
    }
    if (Files.isDirectory(p)) {
      List<Path> out;
      try (Stream<Path> s = Files.list(p)) {
        out =
            s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new UserInputException("cannot list --manifest " + manifest + ": " + e, e);
      }
      if (out.isEmpty()) {
        throw new UserInputException(
            "no .csv manifests in --manifest directory " + manifest + "; run infer chunk first");
      }
      return out;
    }
    throw new UserInputException(
        "manifest not found: " + manifest + " (--manifest); give a chunk manifest CSV");
  }

  /** The manifest's stem: its file name without {@code .csv}. */
  public static String stem(Path manifest) {
    String n = manifest.getFileName().toString();
    return n.toLowerCase(Locale.ROOT).endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
  }

  /** The dataset root of {@code manifest}. */
  public static Path root(Path manifest, String datasetRoot) {
    if (datasetRoot != null && !datasetRoot.isBlank()) {
      Path r = Paths.get(datasetRoot).toAbsolutePath().normalize();
      if (!Files.isDirectory(r)) {
        throw new UserInputException(
            "dataset root not found: " + datasetRoot + " (--dataset-root); give a directory");
      }
      return r;
    }
    Path dir = manifest.getParent();
    if (dir.getFileName() != null
        && dir.getFileName().toString().equals("manifests")
        && dir.getParent() != null) {
      return dir.getParent();
    }
    return dir;
  }

  /** Reads every manifest; a malformed one is a one-line {@link UserInputException}. */
  public static List<Manifest> read(String manifest, String datasetRoot) {
    List<Manifest> out = new ArrayList<>();
    Set<String> stems = new HashSet<>();
    for (Path f : files(manifest)) {
      Manifest m = readOne(f, root(f, datasetRoot));
      if (!stems.add(m.stem())) {
        throw new UserInputException("two manifests have the stem " + m.stem() + "; rename one");
      }
      out.add(m);
    }
    return out;
  }

  static Manifest readOne(Path csv, Path root) {
    String text;
    try {
      text = Files.readString(csv);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new UserInputException(
          "manifest "
              + csv
              + " is not UTF-8 text; give a chunk manifest CSV (infer chunk writes"
              + " them)",
          e);
    } catch (IOException e) {
      throw new UserInputException(
          "cannot read manifest " + csv + ": " + e.getMessage() + "; check the file and its path",
          e);
    }
    List<List<String>> lines = ChunkManifest.parse(text);
    if (lines.isEmpty()) {
      throw new UserInputException(
          "manifest " + csv + " is empty; it needs a header line with " + REQUIRED_TEXT);
    }
    Map<String, Integer> col = new HashMap<>();
    List<String> header = lines.get(0);
    for (int i = 0; i < header.size(); i++) {
      col.putIfAbsent(header.get(i).trim(), i);
    }
    List<String> missing =
        new ArrayList<>(REQUIRED.stream().filter(c -> !col.containsKey(c)).toList());
    boolean seconds = col.containsKey("start_s") && col.containsKey("end_s");
    boolean millis = col.containsKey("start_ms") && col.containsKey("end_ms");
    if (!seconds && !millis) {
      missing.add("start_s, end_s");
    }
    if (!missing.isEmpty()) {
      throw new UserInputException(
          "manifest "
              + csv
              + " lacks column(s) "
              + String.join(", ", missing)
              + "; a chunk manifest needs "
              + REQUIRED_TEXT);
    }
    String stem = stem(csv);
    Integer chunkPathCol = col.get("chunk_path");
    List<ChunkTask> chunks = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      List<String> c = lines.get(i);
      int lineNo = i + 1;
      if (c.size() != header.size()) {
        throw new UserInputException(
            "manifest "
                + csv
                + " line "
                + lineNo
                + " has "
                + c.size()
                + " cells, the header "
                + header.size()
                + "; fix or regenerate the manifest");
      }
      String chunkId = c.get(col.get("chunk_id"));
      String recordingId = c.get(col.get("recording_id"));
      if (chunkId.isBlank() || recordingId.isBlank()) {
        throw new UserInputException(
            "manifest " + csv + " line " + lineNo + ": empty chunk_id or recording_id");
      }
      Integer prev = seen.putIfAbsent(chunkId, lineNo);
      if (prev != null) {
        throw new UserInputException(
            "manifest "
                + csv
                + " lists chunk_id "
                + chunkId
                + " on lines "
                + prev
                + " and "
                + lineNo
                + "; chunk ids must be unique");
      }
      String unit = seconds ? "_s" : "_ms";
      double scale = seconds ? 1 : 1e-3;
      double start = number(csv, lineNo, "start" + unit, c.get(col.get("start" + unit))) * scale;
      double end = number(csv, lineNo, "end" + unit, c.get(col.get("end" + unit))) * scale;
      if (start < 0 || end <= start) {
        throw new UserInputException(
            "manifest "
                + csv
                + " line "
                + lineNo
                + ": chunk "
                + chunkId
                + " spans "
                + start
                + " s to "
                + end
                + " s; a chunk needs 0 <= start < end, fix or regenerate the manifest");
      }
      String audio = chunkPathCol == null ? "" : c.get(chunkPathCol);
      if (audio.isBlank()) {
        audio = c.get(col.get("source_path"));
      }
      chunks.add(
          new ChunkTask(
              stem,
              i - 1,
              recordingId,
              chunkId,
              start,
              end,
              audio,
              root.toString(),
              col.containsKey("sha256") ? c.get(col.get("sha256")).trim() : "",
              1,
              0,
              null,
              List.of()));
    }
    return new Manifest(csv, stem, root, List.copyOf(chunks));
  }

  private static double number(Path csv, int line, String column, String value) {
    try {
      double d = Double.parseDouble(value.trim());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UserInputException(
        "manifest " + csv + " line " + line + ": " + column + " '" + value + "' is not a number");
  }
}

package io.beamline.pipelines.infer.formats;

import io.beamline.framework.UserInputException;
import io.beamline.pipelines.infer.run.ChunkTask;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.CharacterCodingException;
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
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The chunk manifest of one recording: one line per chunk, as CSV with a header line (RFC 4180
 * quoting), and the same columns as a Beam {@link Schema} for the Parquet chunk table.
 *
 * <p>Columns, in order: the issue's {@code recording_id, chunk_id, source_path, start_s, end_s,
 * sample_rate, channels, sha256}, then the BADC seed's {@code start_ms, end_ms, overlap_ms, notes},
 * then {@code chunk_path, source_sample_rate, frames, partial}. So a reader of either form finds
 * its columns by name.
 *
 * <ul>
 *   <li>{@code source_path}: the recording, absolute; {@code chunk_path}: the chunk WAV relative to
 *       the output directory ({@code chunks/<recording_id>/<chunk_id>.wav});
 *   <li>{@code start_s, end_s, start_ms, end_ms}: the chunk's span in the recording; for a padded
 *       final chunk the end is the end of the audio, not of the padding;
 *   <li>{@code sample_rate, channels, frames}: of the chunk file (the target rate); {@code
 *       source_sample_rate}: of the recording;
 *   <li>{@code sha256}: of the chunk file's bytes; {@code notes}: empty, or what was padded.
 * </ul>
 *
 * <p>{@code infer chunk} writes it ({@link #toCsv}) and reads back what it committed ({@link
 * #read(Path)}); {@code infer run} and {@code infer orchestrate} read it by column name ({@link
 * #read(String, String)}), so BADC's own manifests work too (seed 002: {@code recording_id,
 * chunk_id, source_path, start_ms, end_ms, overlap_ms, sha256, notes}). Required there: {@value
 * #REQUIRED_TEXT}; other columns are read from the audio or ignored; an empty or missing {@code
 * sha256} is not checked. The chunk's audio is the {@code chunk_path} column when present and
 * non-empty, else {@code source_path}; a relative path resolves against the dataset root: {@code
 * --dataset-root} when given, else the parent of the manifest's directory when that directory is
 * called {@code manifests} (the {@code infer chunk} layout), else the manifest's directory.
 */
public final class ChunkManifest {
  private ChunkManifest() {}

  /** CSV header and schema field names, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "recording_id",
          "chunk_id",
          "source_path",
          "start_s",
          "end_s",
          "sample_rate",
          "channels",
          "sha256",
          "start_ms",
          "end_ms",
          "overlap_ms",
          "notes",
          "chunk_path",
          "source_sample_rate",
          "frames",
          "partial");

  /** The Parquet chunk table: one row per chunk, the manifest's columns. */
  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("recording_id")
          .addStringField("chunk_id")
          .addStringField("source_path")
          .addDoubleField("start_s")
          .addDoubleField("end_s")
          .addInt32Field("sample_rate")
          .addInt32Field("channels")
          .addStringField("sha256")
          .addInt64Field("start_ms")
          .addInt64Field("end_ms")
          .addInt64Field("overlap_ms")
          .addStringField("notes")
          .addStringField("chunk_path")
          .addInt32Field("source_sample_rate")
          .addInt32Field("frames")
          .addBooleanField("partial")
          .build();

  /** One manifest line. */
  public record Entry(
      String recordingId,
      String chunkId,
      String sourcePath,
      double startS,
      double endS,
      int sampleRate,
      int channels,
      String sha256,
      long startMs,
      long endMs,
      long overlapMs,
      String notes,
      String chunkPath,
      int sourceSampleRate,
      int frames,
      boolean partial)
      implements Serializable {

    /** The entry as a row of {@link #SCHEMA}. */
    public Row toRow() {
      return Row.withSchema(SCHEMA)
          .addValues(
              recordingId,
              chunkId,
              sourcePath,
              startS,
              endS,
              sampleRate,
              channels,
              sha256,
              startMs,
              endMs,
              overlapMs,
              notes,
              chunkPath,
              sourceSampleRate,
              frames,
              partial)
          .build();
    }

    /** The CSV cells: the row's values, seconds with milliseconds exact. */
    List<String> cells() {
      return toRow().getValues().stream()
          .map(v -> v instanceof Double d ? seconds(d) : String.valueOf(v))
          .toList();
    }

    static Entry of(List<String> c) {
      return new Entry(
          c.get(0),
          c.get(1),
          c.get(2),
          Double.parseDouble(c.get(3)),
          Double.parseDouble(c.get(4)),
          Integer.parseInt(c.get(5)),
          Integer.parseInt(c.get(6)),
          c.get(7),
          Long.parseLong(c.get(8)),
          Long.parseLong(c.get(9)),
          Long.parseLong(c.get(10)),
          c.get(11),
          c.get(12),
          Integer.parseInt(c.get(13)),
          Integer.parseInt(c.get(14)),
          Boolean.parseBoolean(c.get(15)));
    }
  }

  /** Seconds as written in the CSV: milliseconds exact, no exponent. */
  static String seconds(double s) {
    return String.format(Locale.ROOT, "%.3f", s);
  }

  /** The CSV text: header line, then one line per entry, {@code \n} line ends. */
  public static String toCsv(List<Entry> entries) {
    StringBuilder b = new StringBuilder();
    Csv.line(b, COLUMNS);
    for (Entry e : entries) {
      Csv.line(b, e.cells());
    }
    return b.toString();
  }

  /**
   * Reads a manifest this class wrote.
   *
   * @throws IOException when the file cannot be read or its header or a line does not fit
   */
  public static List<Entry> read(Path csv) throws IOException {
    List<List<String>> lines = Csv.parse(Files.readString(csv));
    if (lines.isEmpty() || !lines.get(0).equals(COLUMNS)) {
      throw new IOException(
          "chunk manifest " + csv + " does not start with the header " + String.join(",", COLUMNS));
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      List<String> cells = lines.get(i);
      if (cells.size() != COLUMNS.size()) {
        throw new IOException(
            "chunk manifest " + csv + " line " + (i + 1) + " has " + cells.size() + " cells");
      }
      try {
        out.add(Entry.of(cells));
      } catch (NumberFormatException e) {
        throw new IOException(
            "chunk manifest " + csv + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static final List<String> REQUIRED = List.of("recording_id", "chunk_id", "source_path");

  /** The columns a manifest needs to be read by name, in words. */
  public static final String REQUIRED_TEXT =
      "recording_id, chunk_id, source_path and start_s, end_s (or BADC's start_ms, end_ms)";

  /** One manifest's chunks, as {@code infer run} tasks. */
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

  /**
   * Reads every manifest {@code --manifest} names (one CSV, or every {@code *.csv} of a directory,
   * sorted) by column name, for {@code infer run}; a malformed one is a one-line {@link
   * UserInputException}.
   */
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

  /** Reads one manifest by column name; relative audio paths resolve against {@code root}. */
  public static Manifest readOne(Path csv, Path root) {
    String text;
    try {
      text = Files.readString(csv);
    } catch (CharacterCodingException e) {
      throw refuse(
          csv, e, "is not UTF-8 text; give a chunk manifest CSV (infer chunk writes them)");
    } catch (IOException e) {
      throw new UserInputException(
          "cannot read manifest " + csv + ": " + e.getMessage() + "; check the file and its path",
          e);
    }
    List<List<String>> lines = Csv.parse(text);
    if (lines.isEmpty()) {
      throw refuse(csv, null, "is empty; it needs a header line with %s", REQUIRED_TEXT);
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
      throw refuse(
          csv,
          null,
          "lacks column(s) %s; a chunk manifest needs %s",
          String.join(", ", missing),
          REQUIRED_TEXT);
    }
    String stem = stem(csv);
    Integer chunkPathCol = col.get("chunk_path");
    List<ChunkTask> chunks = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      List<String> c = lines.get(i);
      int lineNo = i + 1;
      if (c.size() != header.size()) {
        throw refuse(
            csv,
            null,
            "line %d has %d cells, the header %d; fix or regenerate the manifest",
            lineNo,
            c.size(),
            header.size());
      }
      String chunkId = c.get(col.get("chunk_id"));
      String recordingId = c.get(col.get("recording_id"));
      if (chunkId.isBlank() || recordingId.isBlank()) {
        throw refuse(csv, null, "line %d: empty chunk_id or recording_id", lineNo);
      }
      Integer prev = seen.putIfAbsent(chunkId, lineNo);
      if (prev != null) {
        throw refuse(
            csv,
            null,
            "lists chunk_id %s on lines %d and %d; chunk ids must be unique",
            chunkId,
            prev,
            lineNo);
      }
      String unit = seconds ? "_s" : "_ms";
      double scale = seconds ? 1 : 1e-3;
      double start = number(csv, lineNo, "start" + unit, c.get(col.get("start" + unit))) * scale;
      double end = number(csv, lineNo, "end" + unit, c.get(col.get("end" + unit))) * scale;
      if (start < 0 || end <= start) {
        throw refuse(
            csv,
            null,
            "line %d: chunk %s spans %s s to %s s; a chunk needs 0 <= start < end, fix or"
                + " regenerate the manifest",
            lineNo,
            chunkId,
            start,
            end);
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
    throw refuse(csv, null, "line %d: %s '%s' is not a number", line, column, value);
  }

  /** A one-line refusal naming the manifest: {@code manifest <csv> <what>}. */
  private static UserInputException refuse(Path csv, Exception cause, String what, Object... args) {
    return new UserInputException(
        "manifest " + csv + " " + String.format(Locale.ROOT, what, args), cause);
  }
}

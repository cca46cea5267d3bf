package io.beamline.pipelines.infer;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    List<String> cells() {
      return List.of(
          recordingId,
          chunkId,
          sourcePath,
          seconds(startS),
          seconds(endS),
          Integer.toString(sampleRate),
          Integer.toString(channels),
          sha256,
          Long.toString(startMs),
          Long.toString(endMs),
          Long.toString(overlapMs),
          notes,
          chunkPath,
          Integer.toString(sourceSampleRate),
          Integer.toString(frames),
          Boolean.toString(partial));
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
    line(b, COLUMNS);
    for (Entry e : entries) {
      line(b, e.cells());
    }
    return b.toString();
  }

  /**
   * Reads a manifest this class wrote.
   *
   * @throws IOException when the file cannot be read or its header or a line does not fit
   */
  public static List<Entry> read(Path csv) throws IOException {
    List<List<String>> lines = parse(Files.readString(csv));
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

  private static void line(StringBuilder b, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      String c = cells.get(i);
      if (c.indexOf(',') >= 0
          || c.indexOf('"') >= 0
          || c.indexOf('\n') >= 0
          || c.indexOf('\r') >= 0) {
        b.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        b.append(c);
      }
    }
    b.append('\n');
  }

  /** RFC 4180 records of {@code text}; quoted cells may hold commas, quotes and line breaks. */
  static List<List<String>> parse(String text) {
    List<List<String>> out = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
        any = true;
      } else if (ch == ',') {
        row.add(cell.toString());
        cell.setLength(0);
        any = true;
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || cell.length() > 0) {
          row.add(cell.toString());
          out.add(row);
        }
        row = new ArrayList<>();
        cell.setLength(0);
        any = false;
      } else {
        cell.append(ch);
        any = true;
      }
    }
    if (any || cell.length() > 0) {
      row.add(cell.toString());
      out.add(row);
    }
    return out;
  }
}

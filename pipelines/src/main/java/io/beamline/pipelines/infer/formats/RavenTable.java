package io.beamline.pipelines.infer.formats;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raven selection tables, as Raven Pro opens and saves them (File > Open Selection Table): a
 * tab-separated header line, then one line per selection and view. {@link #write} writes BirdNET's
 * columns: {@code Selection, View, Channel, Begin Time (s), End Time (s), Low Freq (Hz), High Freq
 * (Hz), Label, Confidence, Begin Path, File Offset (s)}, one row per selection in the {@code
 * Spectrogram 1} view, the band {@value #LOW_HZ}-{@value #HIGH_HZ} Hz (the model's: 28 kHz audio),
 * {@code Begin Path} the recording's file name ({@code <recording_id>.wav}).
 *
 * <p>{@link #read} finds columns by name, so tables with other or extra columns (made by hand in
 * Raven, or by BirdNET) read too: the times from {@code Begin Time (s)} and {@code End Time (s)};
 * the label from the first of {@value #LABEL_COLUMNS_TEXT} present; the confidence from {@code
 * Confidence}, else 1 (a selection made by hand); the recording from {@code Begin Path} or {@code
 * Begin File}, else the table's file name ({@link Selections#recordingOfLabelFile}). A selection
 * listed once per view (Raven writes a {@code Waveform 1} and a {@code Spectrogram 1} row with the
 * same {@code Selection} number) is read once; BirdNET's placeholder row of a file without
 * detections (label {@code nocall}) is skipped.
 */
public final class RavenTable {
  private RavenTable() {}

  /** Low edge of written selections, Hz. */
  public static final int LOW_HZ = 0;

  /** High edge of written selections, Hz: half the models' 28 kHz sample rate. */
  public static final int HIGH_HZ = 14000;

  /** The header {@link #write} writes. */
  public static final List<String> HEADER =
      List.of(
          "Selection",
          "View",
          "Channel",
          "Begin Time (s)",
          "End Time (s)",
          "Low Freq (Hz)",
          "High Freq (Hz)",
          "Label",
          "Confidence",
          "Begin Path",
          "File Offset (s)");

  /** The label of BirdNET's placeholder row for a file without detections; skipped. */
  static final String NO_CALL = "nocall";

  /** Columns that may hold the label, in the order they are looked for. */
  public static final List<String> LABEL_COLUMNS =
      List.of("Label", "Common Name", "Species Code", "Annotation", "Species", "Class");

  static final String LABEL_COLUMNS_TEXT =
      "Label, Common Name, Species Code, Annotation, Species, Class";

  /** The selection table of {@code selections} (one recording's), numbered from 1 in order. */
  public static String write(String recordingId, List<Selection> selections) {
    StringBuilder b = new StringBuilder(String.join("\t", HEADER)).append('\n');
    int n = 1;
    for (Selection s : selections) {
      b.append(
              String.join(
                  "\t",
                  String.valueOf(n++),
                  "Spectrogram 1",
                  "1",
                  Selections.seconds(s.startS()),
                  Selections.seconds(s.endS()),
                  String.valueOf(LOW_HZ),
                  String.valueOf(HIGH_HZ),
                  AudacityLabels.oneLine(s.label()),
                  Selections.confidence(s.confidence()),
                  recordingId + ".wav",
                  Selections.seconds(s.startS())))
          .append('\n');
    }
    return b.toString();
  }

  /** Reads the selection table {@code file} whose text is {@code text}. */
  public static Selections.Parsed read(Path file, String text) {
    Selections.Collector out = new Selections.Collector();
    List<String> lines = Selections.lines(text);
    int h = 0;
    while (h < lines.size() && lines.get(h).isBlank()) {
      h++;
    }
    if (h == lines.size()) {
      out.problem(1, "is empty; a Raven selection table starts with a header line");
      return out.parsed();
    }
    Map<String, Integer> col = new HashMap<>();
    String[] header = lines.get(h).split("\t", -1);
    for (int i = 0; i < header.length; i++) {
      col.putIfAbsent(header[i].trim(), i);
    }
    String labelColumn = LABEL_COLUMNS.stream().filter(col::containsKey).findFirst().orElse(null);
    if (!col.containsKey("Begin Time (s)")
        || !col.containsKey("End Time (s)")
        || labelColumn == null) {
      out.problem(
          h + 1,
          "header lacks Begin Time (s), End Time (s) or a label column ("
              + LABEL_COLUMNS_TEXT
              + "); a Raven selection table needs them");
      return out.parsed();
    }
    String fromName = Selections.recordingOfLabelFile(file);
    Set<String> seen = new HashSet<>();
    for (int i = h + 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String[] c = lines.get(i).split("\t", -1);
      String number = cell(c, col, "Selection");
      if (!number.isBlank() && !seen.add(number.trim())) {
        continue; // the same selection in another view
      }
      if (NO_CALL.equals(cell(c, col, labelColumn).trim())) {
        continue; // BirdNET's placeholder row of a file without detections
      }
      String path = cell(c, col, "Begin Path");
      if (path.isBlank()) {
        path = cell(c, col, "Begin File");
      }
      out.add(
          i + 1,
          path.isBlank() ? fromName : Selections.recordingOfAudio(path.trim()),
          cell(c, col, "Begin Time (s)"),
          cell(c, col, "End Time (s)"),
          cell(c, col, labelColumn),
          col.containsKey("Confidence") ? cell(c, col, "Confidence") : null);
    }
    return out.parsed();
  }

  /** The cell of {@code column} in {@code c}; empty when the line is shorter. */
  private static String cell(String[] c, Map<String, Integer> col, String column) {
    Integer i = col.get(column);
    return i == null || i >= c.length ? "" : c[i];
  }
}

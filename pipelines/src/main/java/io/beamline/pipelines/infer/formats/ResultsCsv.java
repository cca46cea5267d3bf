package io.beamline.pipelines.infer.formats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BirdNET-style results CSV (RFC 4180, {@link Csv}): {@code
 * filepath,start,end,scientific_name,common_name,confidence}, one line per selection, times in
 * seconds from the start of the recording. {@link #write} puts the label in both name columns and
 * {@code <recording_id>.wav} in {@code filepath}.
 *
 * <p>{@link #read} also takes BirdNET-Analyzer's newer header ({@code Start (s), End (s),
 * Scientific name, Common name, Confidence, File}); the label is the common name, else the
 * scientific name; the recording is the file named in {@code filepath}, else the CSV's own name.
 */
public final class ResultsCsv {
  private ResultsCsv() {}

  /** The header {@link #write} writes. */
  public static final List<String> HEADER =
      List.of("filepath", "start", "end", "scientific_name", "common_name", "confidence");

  /** For each header cell, the names it may have. */
  private static final Map<String, List<String>> ALIASES =
      Map.of(
          "filepath", List.of("filepath", "File"),
          "start", List.of("start", "Start (s)"),
          "end", List.of("end", "End (s)"),
          "scientific_name", List.of("scientific_name", "Scientific name"),
          "common_name", List.of("common_name", "Common name"),
          "confidence", List.of("confidence", "Confidence"));

  /** The CSV of {@code selections} (one recording's), in the given order. */
  public static String write(String recordingId, List<Selection> selections) {
    StringBuilder b = new StringBuilder();
    Csv.line(b, HEADER);
    for (Selection s : selections) {
      Csv.line(
          b,
          List.of(
              recordingId + ".wav",
              Selections.seconds(s.startS()),
              Selections.seconds(s.endS()),
              s.label(),
              s.label(),
              Selections.confidence(s.confidence())));
    }
    return b.toString();
  }

  /** Whether {@code header} (a CSV's first record) is this format's. */
  public static boolean matches(List<String> header) {
    return columns(header).keySet().containsAll(List.of("start", "end", "confidence"))
        && (columns(header).containsKey("common_name")
            || columns(header).containsKey("scientific_name"));
  }

  /** Reads the results CSV {@code file} whose text is {@code text}. */
  public static Selections.Parsed read(Path file, String text) {
    Selections.Collector out = new Selections.Collector();
    List<Csv.Record> records = Csv.records(Selections.withoutBom(text));
    if (records.isEmpty() || !matches(records.get(0).cells())) {
      out.problem(
          records.isEmpty() ? 1 : records.get(0).line(),
          "header is not " + String.join(",", HEADER) + " (or BirdNET's Start (s), End (s), ...)");
      return out.parsed();
    }
    Map<String, Integer> col = columns(records.get(0).cells());
    String fromName = Selections.recordingOfLabelFile(file);
    for (Csv.Record r : records.subList(1, records.size())) {
      List<String> c = r.cells();
      String path = cell(c, col, "filepath");
      String common = cell(c, col, "common_name");
      out.add(
          r.line(),
          path.isBlank() ? fromName : Selections.recordingOfAudio(path.trim()),
          cell(c, col, "start"),
          cell(c, col, "end"),
          common.isBlank() ? cell(c, col, "scientific_name") : common,
          cell(c, col, "confidence"));
    }
    return out.parsed();
  }

  /** Header cells by their canonical name. */
  private static Map<String, Integer> columns(List<String> header) {
    Map<String, Integer> col = new HashMap<>();
    List<String> trimmed = new ArrayList<>();
    header.forEach(h -> trimmed.add(h.trim()));
    ALIASES.forEach(
        (name, aliases) -> {
          for (String a : aliases) {
            int i = trimmed.indexOf(a);
            if (i >= 0) {
              col.putIfAbsent(name, i);
            }
          }
        });
    return col;
  }

  static String cell(List<String> c, Map<String, Integer> col, String column) {
    Integer i = col.get(column);
    return i == null || i >= c.size() ? "" : c.get(i);
  }
}

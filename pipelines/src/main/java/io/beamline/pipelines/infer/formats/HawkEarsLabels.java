package io.beamline.pipelines.infer.formats;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HawkEars' {@code HawkEars_labels.csv} ({@code analyze.py --rtype csv}): {@code
 * filename,start_time,end_time,class_name,class_code,score}, one line per label of every analysed
 * recording, times in seconds. The recording is {@code filename} without its extension ({@link
 * Selections#recordingOfAudio}), the label the class code (the class name where the code is empty),
 * the confidence the score. HawkEars' per-recording label files ({@code <recording>_HawkEars.txt})
 * are Audacity label files ({@link AudacityLabels}). Read only: Beamline writes its own results as
 * {@link ResultsCsv}.
 */
public final class HawkEarsLabels {
  private HawkEarsLabels() {}

  /** The header HawkEars writes. */
  public static final List<String> HEADER =
      List.of("filename", "start_time", "end_time", "class_name", "class_code", "score");

  /** Whether {@code header} (a CSV's first record) is this format's. */
  public static boolean matches(List<String> header) {
    return header.stream().map(String::trim).toList().containsAll(HEADER);
  }

  /** Reads the labels CSV {@code file} whose text is {@code text}. */
  public static Selections.Parsed read(Path file, String text) {
    Selections.Collector out = new Selections.Collector();
    List<Csv.Record> records = Csv.records(Selections.withoutBom(text));
    if (records.isEmpty() || !matches(records.get(0).cells())) {
      out.problem(
          records.isEmpty() ? 1 : records.get(0).line(),
          "header is not HawkEars' " + String.join(",", HEADER));
      return out.parsed();
    }
    Map<String, Integer> col = new HashMap<>();
    List<String> header = records.get(0).cells();
    for (int i = 0; i < header.size(); i++) {
      col.putIfAbsent(header.get(i).trim(), i);
    }
    for (Csv.Record r : records.subList(1, records.size())) {
      List<String> c = r.cells();
      String filename = ResultsCsv.cell(c, col, "filename").trim();
      String code = ResultsCsv.cell(c, col, "class_code");
      out.add(
          r.line(),
          filename.isEmpty() ? "" : Selections.recordingOfAudio(filename),
          ResultsCsv.cell(c, col, "start_time"),
          ResultsCsv.cell(c, col, "end_time"),
          code.isBlank() ? ResultsCsv.cell(c, col, "class_name") : code,
          ResultsCsv.cell(c, col, "score"));
    }
    return out.parsed();
  }
}

package io.beamline.pipelines.infer.formats;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Audacity label files, as Audacity imports and exports them (File > Import > Labels): one label
 * per line, {@code begin<TAB>end<TAB>text}, times in seconds from the start of the recording. A
 * line starting with a backslash holds the frequency range of the label above it ({@code
 * \<TAB>low<TAB>high}); it is skipped.
 *
 * <p>{@link #write} puts the confidence in the text after a semicolon, as HawkEars does ({@code
 * 0.000<TAB>3.000<TAB>chirp;0.873}). {@link #read} takes a text ending in {@code ;<number>} as
 * label and confidence (HawkEars, these exports), a fourth column as the confidence (BirdNET's
 * label files), and any other text as a label set by hand, confidence 1. The recording is named by
 * the file ({@link Selections#recordingOfLabelFile}).
 */
public final class AudacityLabels {
  private AudacityLabels() {}

  /** What may follow the last semicolon of a label text to be read as its confidence. */
  private static final Pattern NUMBERISH = Pattern.compile("[-+0-9.eE]+");

  /** The label file of {@code selections} (one recording's), one line each, in the given order. */
  public static String write(List<Selection> selections) {
    StringBuilder b = new StringBuilder();
    for (Selection s : selections) {
      b.append(Selections.seconds(s.startS()))
          .append('\t')
          .append(Selections.seconds(s.endS()))
          .append('\t')
          .append(oneLine(s.label()))
          .append(';')
          .append(Selections.confidence(s.confidence()))
          .append('\n');
    }
    return b.toString();
  }

  /** Reads the label file {@code file} whose text is {@code text}. */
  public static Selections.Parsed read(Path file, String text) {
    String recording = Selections.recordingOfLabelFile(file);
    Selections.Collector out = new Selections.Collector();
    List<String> lines = Selections.lines(text);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("\\")) {
        continue;
      }
      String[] c = line.split("\t", -1);
      if (c.length < 3) {
        out.problem(
            i + 1,
            "has "
                + c.length
                + " tab-separated field(s); an Audacity label line is begin<TAB>end<TAB>label");
        continue;
      }
      String label = c[2];
      String conf = null;
      if (c.length >= 4 && !c[3].isBlank()) {
        conf = c[3];
      } else {
        int semi = label.lastIndexOf(';');
        if (semi > 0 && NUMBERISH.matcher(label.substring(semi + 1).trim()).matches()) {
          conf = label.substring(semi + 1);
          label = label.substring(0, semi);
        }
      }
      out.add(i + 1, recording, c[0], c[1], label, conf);
    }
    return out.parsed();
  }

  /** A label as one cell: tabs and line breaks, which would end it, as spaces. */
  static String oneLine(String label) {
    return label.replaceAll("[\t\r\n]", " ");
  }
}

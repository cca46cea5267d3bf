package io.beamline.pipelines.infer.formats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the review formats share: merging overlapping selections, the text of times and confidences
 * (so that what one format writes another reads back exactly), recording ids from file names, and
 * the result of reading a file (selections with their lines, and the lines that failed).
 */
public final class Selections {
  private Selections() {}

  /** Order of written selections: recording, begin, end, label. */
  public static final Comparator<Selection> ORDER =
      Comparator.comparing(Selection::recordingId)
          .thenComparingDouble(Selection::startS)
          .thenComparingDouble(Selection::endS)
          .thenComparing(Selection::label);

  /** A selection read from a file, with the 1-based line it came from. */
  public record Line(int line, Selection selection) {}

  /** A line of a file that could not be read as a selection, and why (one line, naming a fix). */
  public record Problem(int line, String error) {}

  /** What reading one file gave: its selections and its problems, each in file order. */
  public record Parsed(List<Line> selections, List<Problem> problems) {
    public Parsed {
      selections = List.copyOf(selections);
      problems = List.copyOf(problems);
    }
  }

  /**
   * One selection per recording, label and run of overlapping windows: overlapping chunks (say 0-3
   * s and 2-5 s, both "chirp") become one selection (0-5 s) with the higher confidence, so a review
   * tool shows no duplicate. Windows that only touch (0-3 s, 3-6 s) stay apart. Sorted by {@link
   * #ORDER}.
   */
  public static List<Selection> merge(Collection<Selection> in) {
    Map<String, List<Selection>> groups = new TreeMap<>();
    for (Selection s : in) {
      groups.computeIfAbsent(s.recordingId() + '\u0000' + s.label(), k -> new ArrayList<>()).add(s);
    }
    List<Selection> out = new ArrayList<>();
    for (List<Selection> g : groups.values()) {
      g.sort(ORDER);
      Selection cur = null;
      for (Selection s : g) {
        boolean same = cur != null && s.startS() == cur.startS() && s.endS() == cur.endS();
        if (cur != null && (s.startS() < cur.endS() || same)) {
          cur =
              new Selection(
                  cur.recordingId(),
                  cur.startS(),
                  Math.max(cur.endS(), s.endS()),
                  cur.label(),
                  Math.max(cur.confidence(), s.confidence()));
        } else {
          if (cur != null) {
            out.add(cur);
          }
          cur = s;
        }
      }
      out.add(cur);
    }
    out.sort(ORDER);
    return out;
  }

  /** A time as written: seconds with three decimals (milliseconds), no exponent. */
  public static String seconds(double s) {
    return ChunkManifest.seconds(s);
  }

  /**
   * A confidence as written, so that {@link #confidence(String)} reads back the same double: a
   * score that is a float (what the models give) in its shortest form ({@code 0.873}), any other
   * double with 17 significant digits.
   */
  public static String confidence(double c) {
    float f = (float) c;
    if ((double) f == c) {
      return new BigDecimal(Float.toString(f)).stripTrailingZeros().toPlainString();
    }
    return new BigDecimal(c).round(new MathContext(17)).toPlainString();
  }

  /**
   * A confidence as read: text of at most 9 significant digits (every file the tools write, and
   * {@link #confidence(double)} of a float) is a float score, widened; longer text a double.
   *
   * @throws NumberFormatException when the text is not a decimal number
   */
  public static double confidence(String text) {
    String t = text.trim();
    BigDecimal d = new BigDecimal(t);
    return d.precision() <= 9 ? (double) Float.parseFloat(t) : Double.parseDouble(t);
  }

  /**
   * Collects what a reader makes of a file's lines: each line's cells become a selection, or a
   * problem when a cell is missing or out of range, so that one bad line never loses the others.
   */
  static final class Collector {
    private final List<Line> selections = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();

    /**
     * Adds line {@code line}: recording, begin and end seconds, label, and the confidence text, or
     * null where the file has none (a hand-made label counts as certain, 1).
     */
    void add(int line, String recording, String begin, String end, String label, String conf) {
      List<String> wrong = new ArrayList<>();
      if (recording == null || recording.isBlank()) {
        wrong.add("no recording (give the audio file's name or path)");
      }
      double b = Double.NaN;
      double e = Double.NaN;
      try {
        b = Double.parseDouble(begin.trim());
        e = Double.parseDouble(end.trim());
      } catch (NumberFormatException x) {
        // reported below
      }
      if (!(b >= 0) || !(e >= b) || !Double.isFinite(e)) {
        wrong.add(
            "span '" + begin.trim() + "' s to '" + end.trim() + "' s is not 0 <= begin <= end");
      }
      if (label == null || label.isBlank()) {
        wrong.add("empty label");
      }
      double c = 1;
      if (conf != null) {
        try {
          c = confidence(conf);
          if (!(c >= 0 && c <= 1)) {
            wrong.add("confidence " + conf.trim() + " is outside [0, 1]");
          }
        } catch (NumberFormatException x) {
          wrong.add("confidence '" + conf.trim() + "' is not a number");
        }
      }
      if (wrong.isEmpty()) {
        selections.add(new Line(line, new Selection(recording, b, e, label.trim(), c)));
      } else {
        problems.add(new Problem(line, String.join("; ", wrong)));
      }
    }

    void problem(int line, String error) {
      problems.add(new Problem(line, error));
    }

    Parsed parsed() {
      return new Parsed(selections, problems);
    }
  }

  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

  /** {@code s} as one file name element: characters other than {@code [A-Za-z0-9._-]} as _. */
  public static String safe(String s) {
    return UNSAFE.matcher(s).replaceAll("_");
  }

  /**
   * The recording id of an audio file (a path or a file name, / or \ separated): its file name
   * without the extension, other characters than {@code [A-Za-z0-9._-]} as _ ({@code infer chunk}'s
   * recording ids).
   */
  public static String recordingOfAudio(String path) {
    String name = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    int dot = name.lastIndexOf('.');
    return safe(dot > 0 ? name.substring(0, dot) : name);
  }

  /** Raven's default table name: {@code <sound>.Table.<n>.selections.txt}. */
  private static final Pattern RAVEN_DEFAULT =
      Pattern.compile("(.+)\\.Table\\.\\d+\\.selections\\.txt");

  /** Label file suffixes of HawkEars, BirdNET and the exports, longest first. */
  private static final List<String> LABEL_SUFFIXES =
      List.of(
          ".BirdNET.selection.table.txt",
          ".BirdNET.results.txt",
          ".BirdNET.results.csv",
          "_HawkEars.txt",
          ".selections.txt",
          ".results.csv",
          ".labels.txt");

  /**
   * The recording a label file or table is about, from its name: without a known suffix (Raven's
   * {@code .Table.<n>.selections.txt}, {@code _HawkEars.txt}, {@code .BirdNET.results.txt}, {@code
   * .BirdNET.selection.table.txt}, the exports' {@code .labels.txt}, {@code .selections.txt},
   * {@code .results.csv}), else without its extension.
   */
  public static String recordingOfLabelFile(Path file) {
    String name = file.getFileName().toString();
    java.util.regex.Matcher raven = RAVEN_DEFAULT.matcher(name);
    if (raven.matches()) {
      return safe(raven.group(1));
    }
    for (String suffix : LABEL_SUFFIXES) {
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        return safe(name.substring(0, name.length() - suffix.length()));
      }
    }
    return recordingOfAudio(name);
  }

  /**
   * The lines of {@code text} (a byte order mark dropped), {@code \n}, {@code \r\n} or {@code \r}.
   */
  static List<String> lines(String text) {
    return List.of(withoutBom(text).split("\r\n|\n|\r", -1));
  }

  /** {@code text} without a byte order mark. */
  public static String withoutBom(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}

package io.beamline.pipelines.infer.formats;

import io.beamline.framework.Spelling;
import io.beamline.framework.UserInputException;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-recording review files {@code infer run --export} and {@code infer aggregate --export}
 * write, one of each chosen format per recording, named after it: {@code <recording>.labels.txt}
 * ({@link AudacityLabels}), {@code <recording>.selections.txt} ({@link RavenTable}) and {@code
 * <recording>.results.csv} ({@link ResultsCsv}). {@link #export} is the one place both commands
 * write them.
 */
public enum ReviewFormat {
  /** Audacity label file. */
  AUDACITY("audacity", ".labels.txt"),
  /** Raven selection table. */
  RAVEN("raven", ".selections.txt"),
  /** BirdNET-style results CSV. */
  CSV("csv", ".results.csv");

  private final String flag;
  private final String suffix;

  ReviewFormat(String flag, String suffix) {
    this.flag = flag;
    this.suffix = suffix;
  }

  /** The name {@code --export} takes. */
  public String flag() {
    return flag;
  }

  /** The file of {@code recordingId} in this format. */
  public String fileName(String recordingId) {
    return Selections.safe(recordingId) + suffix;
  }

  /** The file text of one recording's selections, in {@link Selections#ORDER}. */
  public String write(String recordingId, List<Selection> selections) {
    return switch (this) {
      case AUDACITY -> AudacityLabels.write(selections);
      case RAVEN -> RavenTable.write(recordingId, selections);
      case CSV -> ResultsCsv.write(recordingId, selections);
    };
  }

  /** The names {@code --export} takes, in order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(ReviewFormat::flag).toList();
  }

  /**
   * The formats of an {@code --export} value: comma-separated names, empty for none.
   *
   * @throws UserInputException naming {@code flagName} and the nearest valid name
   */
  public static List<ReviewFormat> parse(String value, String flagName) {
    Set<ReviewFormat> out = new LinkedHashSet<>();
    if (value == null || value.isBlank()) {
      return List.of();
    }
    for (String part : value.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      ReviewFormat f =
          Arrays.stream(values()).filter(v -> v.flag.equals(name)).findFirst().orElse(null);
      if (f == null) {
        String near = Spelling.nearest(name, names());
        throw new UserInputException(
            flagName
                + ": unknown format '"
                + part.trim()
                + "'"
                + (near == null ? "" : "; did you mean " + near + "?")
                + " (give a comma-separated list of "
                + String.join(", ", names())
                + ")");
      }
      out.add(f);
    }
    return List.copyOf(out);
  }

  /**
   * Writes the review files of {@code recordings} in each of {@code formats} into {@code dir}: the
   * detections at or above {@code minConfidence}, overlapping windows of a label merged ({@link
   * Selections#merge}). A recording without detections gets files without selections, so that an
   * export never keeps an earlier run's. Each file is written atomically.
   *
   * @return the files written, in order
   */
  public static List<Path> export(
      Path dir,
      Collection<String> recordings,
      Collection<Selection> detections,
      List<ReviewFormat> formats,
      double minConfidence)
      throws IOException {
    List<Selection> kept = new ArrayList<>();
    for (Selection s : detections) {
      if (s.confidence() >= minConfidence) {
        kept.add(s);
      }
    }
    Map<String, List<Selection>> byRecording = new TreeMap<>();
    for (String r : new TreeSet<>(recordings)) {
      byRecording.put(r, new ArrayList<>());
    }
    for (Selection s : Selections.merge(kept)) {
      byRecording.computeIfAbsent(s.recordingId(), r -> new ArrayList<>()).add(s);
    }
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, List<Selection>> r : byRecording.entrySet()) {
      for (ReviewFormat f : formats) {
        Path file = dir.resolve(f.fileName(r.getKey()));
        AtomicFiles.writeString(file, f.write(r.getKey(), r.getValue()));
        written.add(file);
      }
    }
    return written;
  }
}

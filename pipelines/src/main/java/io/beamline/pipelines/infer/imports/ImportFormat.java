package io.beamline.pipelines.infer.imports;

import io.beamline.framework.Spelling;
import io.beamline.framework.UserInputException;
import io.beamline.pipelines.infer.formats.AudacityLabels;
import io.beamline.pipelines.infer.formats.Csv;
import io.beamline.pipelines.infer.formats.HawkEarsLabels;
import io.beamline.pipelines.infer.formats.RavenTable;
import io.beamline.pipelines.infer.formats.ResultsCsv;
import io.beamline.pipelines.infer.formats.Selections;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The formats {@code infer import} reads, and how it tells them apart ({@code --format auto}): a
 * {@code .csv} by its header (HawkEars' or the BirdNET-style results columns), a {@code .txt} by
 * its first line (a Raven table's header starts with {@code Selection} or holds {@code Begin Time
 * (s)}; anything else is an Audacity label file).
 */
enum ImportFormat {
  HAWKEARS("hawkears"),
  AUDACITY("audacity"),
  RAVEN("raven"),
  CSV("csv");

  final String flag;

  ImportFormat(String flag) {
    this.flag = flag;
  }

  /** Reads {@code file}, whose text is {@code text}, in this format. */
  Selections.Parsed read(Path file, String text) {
    return switch (this) {
      case HAWKEARS -> HawkEarsLabels.read(file, text);
      case AUDACITY -> AudacityLabels.read(file, text);
      case RAVEN -> RavenTable.read(file, text);
      case CSV -> ResultsCsv.read(file, text);
    };
  }

  /** The model a file of this format names by itself, or null: HawkEars, BirdNET. */
  String model(Path file) {
    String name = file.getFileName().toString();
    if (this == HAWKEARS || name.endsWith("_HawkEars.txt")) {
      return "HawkEars";
    }
    return name.contains(".BirdNET.") ? "BirdNET" : null;
  }

  /** The format of {@code file} (text {@code text}) by its name and content, or null. */
  static ImportFormat detect(Path file, String text) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String body = Selections.withoutBom(text);
    if (name.endsWith(".csv")) {
      List<Csv.Record> first = Csv.records(body.lines().findFirst().orElse(""));
      if (first.isEmpty()) {
        return null;
      }
      List<String> header = first.get(0).cells();
      if (HawkEarsLabels.matches(header)) {
        return HAWKEARS;
      }
      return ResultsCsv.matches(header) ? CSV : null;
    }
    if (name.endsWith(".txt")) {
      String first = body.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
      return first.startsWith("Selection\t") || first.contains("Begin Time (s)") ? RAVEN : AUDACITY;
    }
    return null;
  }

  /**
   * The format {@code --format} names, or null for {@code auto}.
   *
   * @throws UserInputException with the nearest valid name
   */
  static ImportFormat parse(String value) {
    String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
    if (v.isEmpty() || v.equals("auto")) {
      return null;
    }
    for (ImportFormat f : values()) {
      if (f.flag.equals(v)) {
        return f;
      }
    }
    List<String> names = new ArrayList<>(List.of("auto"));
    names.addAll(Arrays.stream(values()).map(f -> f.flag).toList());
    String near = Spelling.nearest(v, names);
    throw new UserInputException(
        "--format: unknown format '"
            + value.trim()
            + "'"
            + (near == null ? "" : "; did you mean " + near + "?")
            + " (give one of "
            + String.join(", ", names)
            + ")");
  }
}

package io.beamline.pipelines.infer.imports;

import io.beamline.framework.UserInputException;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.infer.formats.Selections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The input of {@code infer import}, read and checked before anything is written: the file {@code
 * --input} names, or every {@code .csv} and {@code .txt} under the directory it names (a file of no
 * known format there is skipped and listed; HawkEars' {@code HawkEars_rarities.csv}, the labels
 * HawkEars set aside for the location, is skipped unless named), each read in its format.
 */
final class ImportSources {
  private ImportSources() {}

  /** One input file, its format and what reading it gave. */
  record Source(Path file, ImportFormat format, Selections.Parsed parsed) {}

  /** The files read, and those of a directory skipped. */
  record Found(List<Source> sources, List<Path> skipped) {}

  /**
   * Reads the input {@code input} names in {@code forced} format, or each file's own ({@code
   * null}).
   *
   * @throws UserInputException when the input is missing, a named file is of no known format or not
   *     UTF-8 text, or a directory holds no results file
   */
  static Found find(String input, ImportFormat forced) {
    if (input == null || input.isBlank()) {
      throw new UserInputException(
          "--input is required: give a HawkEars_labels.csv, label file, selection table or a"
              + " directory of them");
    }
    Path in = Paths.get(input).toAbsolutePath().normalize();
    List<Source> sources = new ArrayList<>();
    List<Path> skipped = new ArrayList<>();
    if (Files.isRegularFile(in)) {
      String text = text(in);
      ImportFormat f = forced != null ? forced : ImportFormat.detect(in, text);
      if (f == null) {
        throw new UserInputException(
            "cannot tell the format of "
                + input
                + " (--input): not a .csv with HawkEars' or BirdNET's header, nor a .txt label"
                + " file or selection table; give --format hawkears, audacity, raven or csv");
      }
      sources.add(new Source(in, f, f.read(in, text)));
      return new Found(sources, skipped);
    }
    if (!Files.isDirectory(in)) {
      throw new UserInputException(
          "input not found: " + input + " (--input); give a results file or a directory of them");
    }
    for (Path file : candidates(in)) {
      String text;
      try {
        text = text(file);
      } catch (UserInputException e) {
        skipped.add(file);
        continue;
      }
      ImportFormat f = forced != null ? forced : ImportFormat.detect(file, text);
      if (f == null || (forced == null && !looksLikeResults(f, text))) {
        skipped.add(file);
        continue;
      }
      sources.add(new Source(file, f, f.read(file, text)));
    }
    if (sources.isEmpty()) {
      throw new UserInputException(
          "no results files under --input "
              + input
              + " (looked for HawkEars_labels.csv, BirdNET-style .csv, Audacity label and Raven"
              + " selection .txt files); point --input at HawkEars' or BirdNET's output directory");
    }
    return new Found(sources, skipped);
  }

  /**
   * Whether a file found in a directory is what its format says: an Audacity label file's first
   * line must start with two tab-separated numbers (HawkEars' summary, a README are not labels).
   */
  private static boolean looksLikeResults(ImportFormat f, String text) {
    if (f != ImportFormat.AUDACITY) {
      return true;
    }
    String first =
        Selections.withoutBom(text).lines().filter(l -> !l.isBlank()).findFirst().orElse("");
    return first.matches("\\s*[0-9.eE+-]+\t[0-9.eE+-]+(\t.*)?");
  }

  private static List<Path> candidates(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString();
                String lower = n.toLowerCase(Locale.ROOT);
                return (lower.endsWith(".csv") || lower.endsWith(".txt"))
                    && !n.startsWith(".")
                    && !AtomicFiles.isTemporary(n)
                    && !n.equals("HawkEars_rarities.csv");
              })
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException("cannot list --input " + dir + ": " + e.getMessage());
    }
  }

  /** The UTF-8 text of {@code file}. */
  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (CharacterCodingException e) {
      throw new UserInputException(
          "results file " + file + " is not UTF-8 text; save it as UTF-8 and import again", e);
    } catch (IOException e) {
      throw new UserInputException("cannot read results file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The name of {@code file}'s table and failures file: its file name (made safe) and a hash of its
   * path, so that two {@code HawkEars_labels.csv} of different directories keep apart, and the same
   * file imported again replaces its own.
   */
  static String baseName(Path file) {
    return Selections.safe(file.getFileName().toString())
        + "-"
        + String.format(
            Locale.ROOT, "%08x", file.toAbsolutePath().normalize().toString().hashCode());
  }
}

package io.beamline.pipelines.infer.aggregate;

import io.beamline.framework.UserInputException;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The input of {@code beamline infer aggregate}: the detections Parquet files under {@code --input}
 * (an {@code infer run} output directory's {@code detections/}, searched recursively, or a
 * directory of detections files), each checked for the detection columns before anything runs.
 */
final class DetectionFiles {
  private DetectionFiles() {}

  /**
   * The detections Parquet files under {@code --input} {@code input}, sorted; none is an input
   * error.
   */
  static List<Path> under(String input) {
    if (input == null || input.isBlank()) {
      throw new UserInputException(
          "--input is required: give the --output-dir of 'beamline infer run'");
    }
    Path in = Paths.get(input).toAbsolutePath().normalize();
    if (!Files.isDirectory(in)) {
      throw new UserInputException(
          "input directory not found: "
              + input
              + " (--input); give the --output-dir of 'beamline infer run'");
    }
    Path dir = Files.isDirectory(in.resolve("detections")) ? in.resolve("detections") : in;
    List<Path> files;
    try (Stream<Path> s = dir.equals(in) ? Files.list(dir) : Files.walk(dir)) {
      files =
          s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet"))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> !in.relativize(p).toString().contains(".temp-beam"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new UserInputException("cannot list --input " + input + ": " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new UserInputException(
          "no detections Parquet files under --input "
              + input
              + " (looked in "
              + dir
              + "); run 'beamline infer run' first or point --input at its --output-dir");
    }
    return files;
  }

  /** Requires the detection columns, with string or numeric types as the table defines them. */
  static void checkColumns(Path f) {
    Map<String, String> types;
    try (DuckDb db = DuckDb.inMemory()) {
      types = db.columnTypes("SELECT * FROM read_parquet(" + DuckDb.literal(f.toString()) + ")");
    } catch (SQLException e) {
      throw new UserInputException(
          "cannot read detections file " + f + " as Parquet: " + oneLine(e) + "; replace it");
    }
    List<String> problems = new ArrayList<>();
    String committed = types.get(DetectionsTable.COMMITTED_UTC);
    if (committed != null && !committed.equals("VARCHAR")) {
      problems.add(DetectionsTable.COMMITTED_UTC + " is " + committed + " (want VARCHAR)");
    }
    for (Schema.Field field : DetectionsTable.SEED_COLUMNS.getFields()) {
      String t = types.get(field.getName());
      boolean text = field.getType().getTypeName() == Schema.TypeName.STRING;
      if (t == null) {
        problems.add(field.getName() + " missing");
      } else if (text ? !t.equals("VARCHAR") : !(t.equals("DOUBLE") || t.equals("FLOAT"))) {
        problems.add(
            field.getName() + " is " + t + " (want " + (text ? "VARCHAR" : "DOUBLE") + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new UserInputException(
          "detections file "
              + f
              + " lacks the detection columns: "
              + String.join(", ", problems)
              + "; give files written by 'beamline infer run'");
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}

package io.beamline.pipelines.infer.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review formats: exact round trips through each writer and reader, files written by hand or by
 * BirdNET and HawkEars (fixtures under {@code src/test/resources/ReviewFormatsTest/}), malformed
 * lines, and the merge of overlapping windows.
 */
class ReviewFormatsTest {
  @TempDir Path dir;

  /** Scores as the models give them (floats), one double, labels with separators in them. */
  private static final List<Selection> SELECTIONS =
      List.of(
          new Selection("rec-1", 0.0, 3.0, "chirp", (double) 0.87301f),
          new Selection("rec-1", 1.5, 4.5, "trill", (double) 0.5f),
          new Selection("rec-1", 3.0, 6.0, "chirp", 0.1 + 0.2),
          new Selection("rec-1", 6.001, 7.999, "Sparrow, \"White\"; throated", (double) 1e-7f),
          new Selection("rec-1", 12.345, 12.345, "click", 1.0));

  private static Selections.Parsed parse(ReviewFormat f, Path file, String text) {
    return switch (f) {
      case AUDACITY -> AudacityLabels.read(file, text);
      case RAVEN -> RavenTable.read(file, text);
      case CSV -> ResultsCsv.read(file, text);
    };
  }

  @Test
  void everyExportReadsBackAsTheSameSelections() {
    for (ReviewFormat f : ReviewFormat.values()) {
      Path file = dir.resolve(f.fileName("rec-1"));
      String text = f.write("rec-1", SELECTIONS);
      Selections.Parsed back = parse(f, file, text);
      assertEquals(List.of(), back.problems(), f + ":\n" + text);
      assertEquals(
          SELECTIONS,
          back.selections().stream().map(Selections.Line::selection).toList(),
          f.flag());
    }
  }

  @Test
  void exportWritesMergedSelectionsPerRecordingAtomically() throws Exception {
    List<Selection> detections =
        List.of(
            new Selection("a", 0, 3, "chirp", 0.6f),
            new Selection("a", 2, 5, "chirp", 0.9f),
            new Selection("a", 5, 8, "chirp", 0.7f),
            new Selection("a", 2, 5, "trill", 0.2f));
    List<Path> files =
        ReviewFormat.export(
            dir,
            List.of("a", "b"),
            detections,
            List.of(ReviewFormat.AUDACITY, ReviewFormat.RAVEN),
            0.5);
    assertEquals(
        List.of(
            dir.resolve("a.labels.txt"),
            dir.resolve("a.selections.txt"),
            dir.resolve("b.labels.txt"),
            dir.resolve("b.selections.txt")),
        files);
    // 0-3 and 2-5 overlap: one selection with the higher confidence; 5-8 only touches it; the
    // trill is below --min-confidence.
    assertEquals(
        "0.000\t5.000\tchirp;0.9\n5.000\t8.000\tchirp;0.7\n",
        Files.readString(dir.resolve("a.labels.txt")));
    assertEquals("", Files.readString(dir.resolve("b.labels.txt")));
    assertEquals(
        String.join("\t", RavenTable.HEADER) + "\n",
        Files.readString(dir.resolve("b.selections.txt")));
    try (var s = Files.list(dir)) {
      assertTrue(s.allMatch(p -> !p.getFileName().toString().startsWith(".")), "no temporaries");
    }
  }

  @Test
  void mergeJoinsOverlappingWindowsOfOneLabelOnly() {
    List<Selection> merged =
        Selections.merge(
            List.of(
                new Selection("r", 4, 7, "a", 0.4),
                new Selection("r", 0, 3, "a", 0.5),
                new Selection("r", 2, 5, "a", 0.8),
                new Selection("r", 2, 5, "b", 0.3),
                new Selection("r", 2, 5, "b", 0.6),
                new Selection("s", 0, 3, "a", 0.9),
                new Selection("r", 7, 9, "a", 0.1)));
    assertEquals(
        List.of(
            new Selection("r", 0, 7, "a", 0.8),
            new Selection("r", 2, 5, "b", 0.6),
            new Selection("r", 7, 9, "a", 0.1),
            new Selection("s", 0, 3, "a", 0.9)),
        merged);
  }

  private static Path fixture(String name) throws Exception {
    return Path.of(ReviewFormatsTest.class.getResource("/ReviewFormatsTest/" + name).toURI());
  }

  private static List<Selection> read(Path file, String format) throws Exception {
    String text = Files.readString(file);
    Selections.Parsed p =
        switch (format) {
          case "raven" -> RavenTable.read(file, text);
          case "audacity" -> AudacityLabels.read(file, text);
          default -> HawkEarsLabels.read(file, text);
        };
    assertEquals(List.of(), p.problems(), file.toString());
    return p.selections().stream().map(Selections.Line::selection).toList();
  }

  @Test
  void aRavenTableMadeByHandReadsOncePerSelection() throws Exception {
    // Raven Pro's own table: one row per view, an Annotation column, no confidence, no path.
    assertEquals(
        List.of(
            new Selection("XC1234_dawn", 1.25, 2.731, "OVEN", 1.0),
            new Selection("XC1234_dawn", 14.002, 15.5, "WTSP", 1.0)),
        read(fixture("XC1234 dawn.Table.1.selections.txt"), "raven"));
  }

  @Test
  void aBirdNetSelectionTableReads() throws Exception {
    assertEquals(
        List.of(
            new Selection("ARU-07_20240601_050000", 0, 3, "Ovenbird", (double) 0.8523f),
            new Selection(
                "ARU-07_20240601_050000", 3, 6, "White-throated Sparrow", (double) 0.4107f)),
        read(fixture("ARU-07_20240601_050000.BirdNET.selection.table.txt"), "raven"));
  }

  @Test
  void anAudacityLabelFileWithFrequencyLinesReads() throws Exception {
    assertEquals(
        List.of(
            new Selection("site7", 1.5, 2.75, "Ovenbird", 1.0),
            new Selection("site7", 4.0, 4.0, "click", 1.0),
            new Selection("site7", 7.125, 9.0, "WTSP", (double) 0.85f)),
        read(fixture("site7.txt"), "audacity"));
  }

  @Test
  void aHawkEarsLabelsCsvReads() throws Exception {
    assertEquals(
        List.of(
            new Selection("S4A10_20230601_050000", 0, 3, "OVEN", (double) 0.953f),
            new Selection("S4A10_20230601_050000", 1.5, 6, "WTSP", (double) 0.701f)),
        read(fixture("HawkEars_labels.csv"), "hawkears"));
  }

  @Test
  void malformedLinesAreProblemsAndTheGoodLinesStay() throws Exception {
    Path f = fixture("broken.selections.txt");
    Selections.Parsed p = RavenTable.read(f, Files.readString(f));
    assertEquals(
        List.of(
            new Selections.Line(2, new Selection("broken", 0, 3, "chirp", (double) 0.9f)),
            new Selections.Line(6, new Selection("broken", 12, 15, "whistle", 0.25))),
        p.selections());
    assertEquals(List.of(3, 4, 5), p.problems().stream().map(Selections.Problem::line).toList());
    assertEquals(
        "span '3.000' s to '2.000' s is not 0 <= begin <= end", p.problems().get(0).error());
    assertEquals("empty label", p.problems().get(1).error());
    assertEquals("confidence 'abc' is not a number", p.problems().get(2).error());
  }

  @Test
  void csvRecordsKnowTheirLineAcrossQuotedLineBreaks() {
    List<Csv.Record> r = Csv.records("h1,h2\n\"a\nb\",1\n\nc,2\n");
    assertEquals(List.of(1, 2, 5), r.stream().map(Csv.Record::line).toList());
    assertEquals(List.of("a\nb", "1"), r.get(1).cells());
  }

  @Test
  void confidencesKeepTheirExactValue() {
    for (double c : new double[] {0.873f, 0.1 + 0.2, 1.0, 0.0, 1e-7f, 0.5, 0.123456789012}) {
      assertEquals(c, Selections.confidence(Selections.confidence(c)), () -> "for " + c);
    }
    assertEquals("0.873", Selections.confidence((double) 0.873f));
  }

  @Test
  void aMisspelledExportFormatNamesTheNearest() {
    assertEquals(
        List.of(ReviewFormat.AUDACITY, ReviewFormat.CSV),
        ReviewFormat.parse(" Audacity,csv", "--export"));
    assertEquals(List.of(), ReviewFormat.parse("", "--export"));
    UserInputException e =
        assertThrows(UserInputException.class, () -> ReviewFormat.parse("raven,rvn", "--export"));
    assertEquals(
        "--export: unknown format 'rvn'; did you mean raven? (give a comma-separated list of"
            + " audacity, raven, csv)",
        e.getMessage());
  }
}

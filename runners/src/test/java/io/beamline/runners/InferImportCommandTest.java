package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.duckdb.DuckDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer run --export}, {@code infer import} and {@code infer aggregate} from the command
 * line, end to end: a run's review files read back as the run's rows, and aggregating the run with
 * imported results (its own exports and a HawkEars CSV) counts every detection once.
 */
class InferImportCommandTest {
  @TempDir Path dir;

  @Test
  void helpListsTheFlags() {
    BeamlineCliTest.Result r = BeamlineCliTest.run("infer", "import", "--help");
    assertEquals(0, r.code(), r.err());
    for (String flag : List.of("--input", "--output-dir", "--format", "--model", "INPUT")) {
      assertThat(r.out(), containsString(flag));
    }
    assertThat(BeamlineCliTest.run("infer", "--help").out(), containsString("import"));
  }

  /** Chunks one 7 s recording with {@code overlap} seconds of overlap; returns the output dir. */
  private Path chunked(String site, double overlap) throws Exception {
    Path rec = dir.resolve("recordings-" + site);
    float[][] x = new float[1][22_050 * 7];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.9) * (i % 22_050 < 4000 ? 1 : 0.05));
    }
    WavWriter.write(rec.resolve(site + ".wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path out = dir.resolve("out-" + site);
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "chunk",
            "--recordings",
            rec.toString(),
            "--output-dir",
            out.toString(),
            "--overlap-seconds",
            String.valueOf(overlap));
    assertEquals(0, r.code(), r.err());
    return out;
  }

  private static BeamlineCliTest.Result runWithExport(Path out, String site, String export) {
    // Min confidence 0: every chunk gets every label, so overlapping chunks share labels.
    return BeamlineCliTest.run(
        "infer",
        "run",
        out.resolve("manifests/" + site + ".csv").toString(),
        "--output-dir",
        out.toString(),
        "--stub-runner",
        "--min-confidence",
        "0",
        "--export",
        export);
  }

  private static final String COLUMNS = "recording_id, chunk_id, start_s, end_s, label, confidence";

  @Test
  void runExportImportAggregateCountsEachDetectionOnce() throws Exception {
    Path out = chunked("site2", 0);
    BeamlineCliTest.Result run = runWithExport(out, "site2", "audacity,raven,csv");
    assertEquals(0, run.code(), run.err());
    for (String f : List.of("site2.labels.txt", "site2.selections.txt", "site2.results.csv")) {
      assertTrue(Files.isRegularFile(out.resolve("exports/" + f)), f);
    }
    Path runTable = out.resolve("detections/site2.parquet");
    long runRows;
    try (DuckDb db = DuckDb.inMemory()) {
      runRows = db.count("SELECT * FROM " + parquet(runTable));
    }
    assertEquals(9, runRows, "3 chunks x 3 labels");

    // The run's own review files, imported into the same output directory.
    BeamlineCliTest.Result imported =
        BeamlineCliTest.run(
            "infer", "import", out.resolve("exports").toString(), "--output-dir", out.toString());
    assertEquals(0, imported.code(), imported.err());
    assertThat(imported.out(), containsString("27 rows from 3 files"));
    List<Path> tables = importedTables(out);
    assertEquals(3, tables.size());
    try (DuckDb db = DuckDb.inMemory()) {
      for (Path t : tables) {
        // Exact round trip: the same rows, times, labels and confidences as the run's table.
        String a = "SELECT " + COLUMNS + " FROM " + parquet(t);
        String b = "SELECT " + COLUMNS + " FROM " + parquet(runTable);
        assertEquals(0, db.count(a + " EXCEPT " + b), t.toString());
        assertEquals(0, db.count(b + " EXCEPT " + a), t.toString());
        assertEquals(runRows, db.count("SELECT * FROM " + parquet(t)));
      }
    }

    // A HawkEars CSV of another recording.
    Path hawkears = dir.resolve("hawkears/HawkEars_labels.csv");
    Files.createDirectories(hawkears.getParent());
    Files.copy(
        Path.of(getClass().getResource("/InferImportCommandTest/HawkEars_labels.csv").toURI()),
        hawkears);
    BeamlineCliTest.Result he =
        BeamlineCliTest.run("infer", "import", hawkears.toString(), "--output-dir", out.toString());
    assertEquals(0, he.code(), he.err());

    BeamlineCliTest.Result agg =
        BeamlineCliTest.run(
            "infer",
            "aggregate",
            "--input",
            out.toString(),
            "--output-dir",
            out.toString(),
            "--export",
            "raven");
    assertEquals(0, agg.code(), agg.err());
    // The merged table's review files: HawkEars' three selections (two labels overlap in time,
    // not in label: both stay), and site2's nine.
    assertEquals(
        1 + 3, Files.readAllLines(out.resolve("aggregate/exports/site9.selections.txt")).size());
    assertEquals(
        1 + 9, Files.readAllLines(out.resolve("aggregate/exports/site2.selections.txt")).size());
    try (DuckDb db = DuckDb.open(out.resolve("aggregate/detections.duckdb"))) {
      assertEquals(runRows + 3, db.count("SELECT * FROM detections"));
      assertEquals(3, db.count("SELECT * FROM detections WHERE model = 'HawkEars'"));
      assertEquals(runRows, db.count("SELECT * FROM detections WHERE recording_id = 'site2'"));
      assertEquals(
          0,
          db.count(
              "SELECT recording_id, chunk_id, label FROM detections"
                  + " GROUP BY ALL HAVING count(*) > 1"));
    }

    // Importing the same files again replaces their tables: still counted once.
    assertEquals(
        0,
        BeamlineCliTest.run(
                "infer",
                "import",
                out.resolve("exports").toString(),
                "--output-dir",
                out.toString())
            .code());
    assertEquals(4, importedTables(out).size(), "the HawkEars table and the 3 exports' tables");
  }

  @Test
  void overlappingChunksExportNoDuplicateSelections() throws Exception {
    Path out = chunked("site3", 1.0);
    BeamlineCliTest.Result run = runWithExport(out, "site3", "raven,audacity");
    assertEquals(0, run.code(), run.err());
    long rows;
    try (DuckDb db = DuckDb.inMemory()) {
      rows = db.count("SELECT * FROM " + parquet(out.resolve("detections/site3.parquet")));
    }
    assertEquals(3 * 3, rows, "chunks 0-3, 2-5, 4-7 x 3 labels");
    List<String> raven = Files.readAllLines(out.resolve("exports/site3.selections.txt"));
    // Every label is in every chunk and the chunks overlap: one selection per label, 0 s to 7 s.
    assertEquals(1 + 3, raven.size(), String.join("\n", raven));
    for (String line : raven.subList(1, raven.size())) {
      String[] c = line.split("\t");
      assertEquals("0.000", c[3], line);
      assertEquals("7.000", c[4], line);
    }
    List<String> labels = Files.readAllLines(out.resolve("exports/site3.labels.txt"));
    assertEquals(3, labels.size(), String.join("\n", labels));
    assertEquals(3, labels.stream().map(l -> l.split("\t")[2].split(";")[0]).distinct().count());
  }

  @Test
  void aMisspelledExportFormatIsOneLineWithTheNearestName() throws Exception {
    Path out = dir.resolve("out");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "aggregate",
            "--input",
            dir.toString(),
            "--output-dir",
            out.toString(),
            "--export",
            "audacty");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(
        r.err(), containsString("--export: unknown format 'audacty'; did you mean audacity?"));
    assertFalse(Files.exists(out), "validation writes nothing");
    BeamlineCliTest.Result run =
        BeamlineCliTest.run(
            "infer",
            "run",
            dir.resolve("none.csv").toString(),
            "--output-dir",
            out.toString(),
            "--stub-runner",
            "--export",
            "raven,csv,audacty");
    assertEquals(2, run.code(), run.err());
    assertEquals(
        List.of(
            "beamline infer run: --export: unknown format 'audacty'; did you mean audacity? (give a"
                + " comma-separated list of audacity, raven, csv)"),
        run.errLines());
    assertFalse(Files.exists(out), "validation writes nothing");
  }

  @Test
  void aMalformedFileKeepsItsGoodLinesAndExitsThree() throws Exception {
    Path labels = dir.resolve("site5_HawkEars.txt");
    Files.writeString(
        labels,
        "0.00\t3.00\tWTSP;0.912\n"
            + "3.00\tthree\tRUGR;0.5\n"
            + "6.00\t9.00\tMAWA;1.7\n"
            + "9.00\t12.00\tAMRO;0.650\n");
    Path out = dir.resolve("out");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run("infer", "import", labels.toString(), "--output-dir", out.toString());
    assertEquals(3, r.code(), r.err());
    assertThat(r.err(), containsString("2 lines failed"));
    assertThat(r.err(), containsString(labels + " line 2: audacity span '3.00' s to 'three' s"));
    List<Path> failures;
    try (Stream<Path> s = Files.list(out.resolve("import-failures"))) {
      failures = s.toList();
    }
    assertEquals(1, failures.size());
    List<String> records = Files.readAllLines(failures.get(0));
    assertEquals(2, records.size());
    assertThat(records.get(0), containsString("\"item\":\"line 2\""));
    assertThat(records.get(1), containsString("\"item\":\"line 3\""));
    assertThat(records.get(1), containsString("confidence 1.7 is outside [0, 1]"));
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          List.of(List.of("WTSP", "site5", "HawkEars"), List.of("AMRO", "site5", "HawkEars")),
          db.rows(
              "SELECT label, recording_id, model FROM "
                  + parquet(importedTables(out).get(0))
                  + " ORDER BY start_s"));
    }
  }

  @Test
  void badInputWritesNothing() {
    Path out = dir.resolve("out");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer", "import", dir.toString(), "--output-dir", out.toString(), "--format", "ravn");
    assertEquals(2, r.code(), r.err());
    assertThat(r.err(), containsString("did you mean raven?"));
    BeamlineCliTest.Result none =
        BeamlineCliTest.run("infer", "import", dir.toString(), "--output-dir", out.toString());
    assertEquals(2, none.code(), none.err());
    assertThat(none.err(), containsString("no results files under --input"));
    assertFalse(Files.exists(out));
  }

  private static List<Path> importedTables(Path out) throws Exception {
    try (Stream<Path> s = Files.list(out.resolve("detections/imported"))) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  private static String parquet(Path p) {
    return "read_parquet(" + DuckDb.literal(p.toString()) + ")";
  }
}

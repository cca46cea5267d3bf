package io.beamline.pipelines.infer.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.pipelines.infer.formats.DetectionsTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer import} on a HawkEars output directory: which files it takes, the rows and their
 * identity, the model column, and a fixed file replacing its failure records.
 */
class InferImportToolTest {
  @TempDir Path dir;

  private record Ran(int code, String out, String err) {}

  private Ran run(String... args) throws Exception {
    InferImportTool.InferImportOptions o =
        PipelineOptionsFactory.fromArgs(args).as(InferImportTool.InferImportOptions.class);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new InferImportTool().run(o, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Ran(code, out.toString(), err.toString());
  }

  private static List<List<Object>> rows(Path table) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    DetectionsTable.read(
        table,
        r -> {
          List<Object> v = new ArrayList<>(r.values());
          v.add(r.committedUtc());
          rows.add(v);
        });
    return rows;
  }

  @Test
  void aHawkEarsOutputDirectoryImportsItsLabelsAndSkipsTheRest() throws Exception {
    Path he = dir.resolve("hawkears");
    Files.createDirectories(he);
    Files.writeString(
        he.resolve("HawkEars_labels.csv"),
        "filename,start_time,end_time,class_name,class_code,score\n"
            + "S1_20230601.wav,0.000,3.000,Ovenbird,OVEN,0.953\n");
    Files.writeString(
        he.resolve("HawkEars_rarities.csv"),
        "filename,start_time,end_time,class_name,class_code,score\n"
            + "S1_20230601.wav,3.000,6.000,Kirtland's Warbler,KIWA,0.8\n");
    Files.writeString(he.resolve("HawkEars_summary.txt"), "# Summary of HawkEars inference\n");
    Files.writeString(he.resolve("S2_HawkEars.txt"), "1.50\t4.50\tOVEN;0.710\n");
    Path out = dir.resolve("out");

    Ran r = run("--input=" + he, "--outputDir=" + out, "--modelVersion=1.0.8");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("skipped " + he.resolve("HawkEars_summary.txt")), r.out());
    assertTrue(r.out().contains("2 rows from 2 files"), r.out());
    Path csvTable =
        out.resolve(
            "detections/imported/"
                + ImportSources.baseName(he.resolve("HawkEars_labels.csv"))
                + ".parquet");
    String committed =
        DetectionsTable.time(
            Files.getLastModifiedTime(he.resolve("HawkEars_labels.csv")).toInstant());
    assertEquals(
        List.of(
            List.of(
                "S1_20230601",
                "S1_20230601_0_3000",
                0.0,
                3.0,
                "OVEN",
                (double) 0.953f,
                "HawkEars",
                "1.0.8",
                "import-hawkears",
                "import:" + he.resolve("HawkEars_labels.csv"),
                committed)),
        rows(csvTable));
    Path labelsTable =
        out.resolve(
            "detections/imported/"
                + ImportSources.baseName(he.resolve("S2_HawkEars.txt"))
                + ".parquet");
    assertEquals("S2_1500_4500", rows(labelsTable).get(0).get(1));
    assertEquals("HawkEars", rows(labelsTable).get(0).get(6));
  }

  @Test
  void aFixedFileImportedAgainReplacesItsTableAndFailureRecords() throws Exception {
    Path labels = dir.resolve("site.txt");
    Files.writeString(labels, "0\t3\tchirp;0.5\n3\t2\ttrill;0.5\n");
    Path out = dir.resolve("out");
    Ran bad = run("--input=" + labels, "--outputDir=" + out, "--model=birdcall");
    assertEquals(3, bad.code(), bad.err());
    Path failures = out.resolve("import-failures/" + ImportSources.baseName(labels) + ".jsonl");
    assertTrue(Files.exists(failures));
    Path table = out.resolve("detections/imported/" + ImportSources.baseName(labels) + ".parquet");
    assertEquals(1, rows(table).size());

    Files.writeString(labels, "0\t3\tchirp;0.5\n2\t3\ttrill;0.5\n0\t3\tchirp;0.75\n");
    Ran fixed = run("--input=" + labels, "--outputDir=" + out, "--model=birdcall");
    assertEquals(0, fixed.code(), fixed.err());
    assertFalse(Files.exists(failures), "the fixed file's old failure records are gone");
    List<List<Object>> rows = rows(table);
    // The same selection twice counts once, with its higher confidence.
    assertEquals(2, rows.size());
    assertEquals(
        List.of("chirp", 0.75, "birdcall"),
        List.of(rows.get(0).get(4), rows.get(0).get(5), rows.get(0).get(6)));
    assertEquals("trill", rows.get(1).get(4));
  }
}

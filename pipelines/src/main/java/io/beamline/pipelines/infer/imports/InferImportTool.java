package io.beamline.pipelines.infer.imports;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.Inputs;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import io.beamline.pipelines.infer.formats.Selection;
import io.beamline.pipelines.infer.formats.Selections;
import io.beamline.transforms.audio.Chunker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.values.Row;

/**
 * {@code beamline infer import INPUT --output-dir OUT}: results of HawkEars, BirdNET or a person
 * (HawkEars' {@code HawkEars_labels.csv}, Audacity label files, Raven selection tables,
 * BirdNET-style CSVs; see {@link ImportFormat}) into the canonical detections table ({@link
 * DetectionsTable}), one Parquet file per input file under {@code OUT/detections/imported/}, where
 * {@code infer aggregate --input OUT} finds them next to {@code infer run}'s tables.
 *
 * <p>Each selection becomes one row: {@code recording_id} from the file ({@link Selections}), its
 * span as {@code start_s, end_s}, label and confidence; {@code chunk_id} is {@code
 * <recording>_<start_ms>_<end_ms>}, the id {@code infer chunk} gives the chunk of that span, so a
 * span has one identity whichever file or run holds it, and {@code infer aggregate} counts it once
 * (the newest commit wins as a whole set of labels); {@code model} is {@code --model} (default:
 * HawkEars or BirdNET where the file says so, else {@value #IMPORTED}), {@code worker} {@code
 * import-<format>}, {@code run_id} {@code import:<file>}, {@code committed_utc} the file's
 * modification time. Importing a file again replaces its table; the same selection twice in a file
 * counts once, with the higher confidence.
 *
 * <p>A line that cannot be read becomes a failure record naming the file and line ({@code
 * OUT/import-failures/<file>-<hash>.jsonl}), the file's other lines are kept, and the command exits
 * with status 3. Everything is read and checked before anything is written.
 *
 * <pre>{@code
 * beamline infer import hawkears-out/HawkEars_labels.csv --output-dir out
 * beamline infer import birdnet-out --output-dir out --model BirdNET --model-version 2.4
 * beamline infer aggregate --input out --output-dir out
 * }</pre>
 */
public final class InferImportTool implements BeamlineTool<InferImportTool.InferImportOptions> {

  /** The model recorded when neither {@code --model} nor the file names one. */
  static final String IMPORTED = "imported";

  /** Options of {@code beamline infer import}. */
  public interface InferImportOptions extends BeamlineToolOptions {
    @Description(
        "A HawkEars_labels.csv, Audacity label file (.txt), Raven selection table (.txt) or"
            + " BirdNET-style results CSV, or a directory searched recursively for them")
    @Validation.Required
    String getInput();

    void setInput(String value);

    @Description(
        "Output directory (as of 'infer run'): rows go to <output-dir>/detections/imported/,"
            + " failure records to <output-dir>/import-failures/")
    @Validation.Required
    String getOutputDir();

    void setOutputDir(String value);

    @Description(
        "Format of the input files: auto (a .csv by its header, a .txt by its first line),"
            + " hawkears, audacity, raven or csv")
    @Default.String("auto")
    String getFormat();

    void setFormat(String value);

    @Description(
        "Model that produced the results, recorded in the model column; default: HawkEars or"
            + " BirdNET where the file's name or header says so, else 'imported'")
    String getModel();

    void setModel(String value);

    @Description("Model version recorded in the model_version column; default: empty")
    String getModelVersion();

    void setModelVersion(String value);
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "import");
  }

  @Override
  public String summary() {
    return "HawkEars labels CSVs, Audacity label files, Raven selection tables, BirdNET CSVs ->"
        + " the detections table infer aggregate counts";
  }

  @Override
  public Class<InferImportOptions> optionsClass() {
    return InferImportOptions.class;
  }

  @Override
  public String positional() {
    return "input";
  }

  @Override
  public int run(InferImportOptions o, PrintWriter out, PrintWriter err) throws IOException {
    ImportFormat forced = ImportFormat.parse(o.getFormat());
    Path output = Inputs.checkWritableDir("--output-dir", o.getOutputDir());
    ImportSources.Found found = ImportSources.find(o.getInput(), forced);
    Path tables = output.resolve("detections").resolve("imported");
    Path failuresDir = output.resolve("import-failures");
    Inputs.checkWritableDir("--output-dir, its detections/imported/", tables.toString());
    Inputs.checkWritableDir("--output-dir, its import-failures/", failuresDir.toString());
    // Everything is read and checked; only now is anything written.
    long rows = 0;
    List<Failure> allFailures = new ArrayList<>();
    for (ImportSources.Source s : found.sources()) {
      String base = ImportSources.baseName(s.file());
      List<Row> table = rows(s, o);
      DetectionsTable.write(tables.resolve(base + ".parquet"), table);
      rows += table.size();
      List<Failure> failures = new ArrayList<>();
      for (Selections.Problem p : s.parsed().problems()) {
        failures.add(
            new Failure(
                s.file().toString(),
                "line " + p.line(),
                "infer-import",
                s.format().flag
                    + " "
                    + p.error()
                    + "; the line is left out, fix it and import again"));
      }
      Path failureFile = failuresDir.resolve(base + ".jsonl");
      if (failures.isEmpty()) {
        Files.deleteIfExists(failureFile); // an earlier import's, now fixed
      } else {
        StringBuilder b = new StringBuilder();
        failures.forEach(f -> b.append(FailureIO.toJson(f)).append('\n'));
        AtomicFiles.writeString(failureFile, b.toString());
      }
      allFailures.addAll(failures);
      out.printf(
          Locale.ROOT,
          "  %s (%s): %s%s%n",
          s.file(),
          s.format().flag,
          count(table.size(), "row"),
          failures.isEmpty() ? "" : ", " + count(failures.size(), "line") + " failed");
    }
    for (Path skipped : found.skipped()) {
      out.println("  skipped " + skipped + " (not a results file of a known format)");
    }
    out.printf(
        Locale.ROOT,
        "beamline infer import: %s from %s -> %s%n",
        count(rows, "row"),
        count(found.sources().size(), "file"),
        tables);
    out.flush();
    if (!allFailures.isEmpty()) {
      Failure first = allFailures.get(0);
      err.println(
          "beamline infer import: "
              + count(allFailures.size(), "line")
              + " failed; failure records in "
              + failuresDir
              + "; first: "
              + first.source
              + " "
              + first.item
              + ": "
              + first.error);
      return 3;
    }
    return 0;
  }

  /**
   * The detections rows of one source: one per selection, the same selection (recording, span,
   * label) once with its higher confidence, in file order.
   */
  static List<Row> rows(ImportSources.Source s, InferImportOptions o) throws IOException {
    String model = o.getModel();
    if (model == null || model.isBlank()) {
      String named = s.format().model(s.file());
      model = named == null ? IMPORTED : named;
    }
    String version = o.getModelVersion() == null ? "" : o.getModelVersion();
    String committed = DetectionsTable.time(Files.getLastModifiedTime(s.file()).toInstant());
    Map<String, Selection> unique = new LinkedHashMap<>();
    for (Selections.Line l : s.parsed().selections()) {
      Selection x = l.selection();
      String key = x.recordingId() + '\t' + x.startS() + '\t' + x.endS() + '\t' + x.label();
      unique.merge(key, x, (a, b) -> a.confidence() >= b.confidence() ? a : b);
    }
    List<Row> rows = new ArrayList<>();
    for (Selection x : unique.values()) {
      rows.add(
          Row.withSchema(DetectionsTable.SCHEMA)
              .addValues(
                  x.recordingId(),
                  Chunker.chunkId(
                      x.recordingId(), Math.round(x.startS() * 1000), Math.round(x.endS() * 1000)),
                  x.startS(),
                  x.endS(),
                  x.label(),
                  x.confidence(),
                  model,
                  version,
                  "import-" + s.format().flag,
                  "import:" + s.file(),
                  committed)
              .build());
    }
    return rows;
  }

  /** {@code n} and {@code noun}, plural unless one. */
  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}

package io.beamline.framework.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.demo.DemoPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCatalogueTest {
  @TempDir Path dir;

  private DemoPipeline.DemoOptions options(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--outputDir=" + dir,
                "--sensors=2",
                "--seconds=2",
                "--rateHz=50",
                "--runner=DirectRunner"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .as(DemoPipeline.DemoOptions.class);
  }

  /** Four runs: succeeded, partial (a rejected CSV line), killed, and compiled-only (planned). */
  @BeforeEach
  void runs() throws Exception {
    assertEquals(
        "succeeded", Runs.run(new DemoPipeline(), options("--runId=a-ok"), List.of()).status());
    Path csv = dir.resolve("samples.csv");
    Files.writeString(
        csv, "sensor_id,time_s,value\ns1,1704067200,1.5\ns1,1704067201,2.5\ns1,oops,3\n");
    assertEquals(
        Runs.PARTIAL,
        Runs.run(new DemoPipeline(), options("--runId=b-partial", "--input=" + csv), List.of())
            .status());
    Path killed = dir.resolve("runs/c-killed");
    Files.createDirectories(killed);
    Files.writeString(
        killed.resolve("manifest.json"),
        "{\"run_id\":\"c-killed\",\"pipeline\":\"demo\",\"status\":\"running\","
            + "\"start_utc\":\"2030-01-01T00:00:00Z\",\"end_utc\":null,\"duration_s\":null}");
    Files.writeString(killed.resolve(RunLock.FILE), "");
    assertEquals(
        Runs.COMPILED,
        Runs.compile(new DemoPipeline(), options("--runId=d-compiled"), List.of()).status());
  }

  @Test
  void listsEveryRunWithItsLiveStatusAndItemCounts() throws Exception {
    List<Map<String, Object>> rows = RunCatalogue.rows(dir);
    assertEquals(
        List.of("a-ok", "b-partial", "d-compiled", "c-killed"),
        rows.stream().map(r -> r.get("run_id")).toList());
    Map<String, Object> ok = rows.get(0);
    assertEquals("succeeded", ok.get("status"));
    assertEquals("demo", ok.get("pipeline"));
    assertEquals("DirectRunner", ok.get("runner"));
    assertTrue(((Number) ok.get("duration_s")).doubleValue() > 0);
    Map<String, Object> partial = rows.get(1);
    assertEquals(Runs.PARTIAL, partial.get("status"));
    assertEquals(1, ((Number) partial.get("items_failed")).intValue());
    assertEquals(RunLock.KILLED, rows.get(3).get("status"));
    assertNull(rows.get(3).get("items_succeeded"));
    assertEquals(Runs.COMPILED, rows.get(2).get("status"));

    String text = RunCatalogue.toText(rows);
    assertThat(text, containsString("RUN ID"));
    assertThat(
        text.lines().filter(l -> l.startsWith("c-killed")).findFirst().orElseThrow(),
        containsString("killed"));

    Map<String, Object> shown = RunCatalogue.show(dir, "b-partial");
    assertEquals(Runs.PARTIAL, shown.get("status"));
    assertThat(String.valueOf(shown.get("files")), containsString("run.log"));
    assertThat(String.valueOf(shown.get("inputs")), containsString("samples.csv"));
    assertNull(RunCatalogue.show(dir, "no-such-run"));
    assertNull(RunCatalogue.show(dir, "../runs"));
  }

  @Test
  void provenanceQuestionsAreSql() throws Exception {
    List<Map<String, Object>> rows = RunCatalogue.rows(dir);
    Path jsonl = dir.resolve("runs.jsonl");
    Path csv = dir.resolve("runs.csv");
    Files.writeString(jsonl, RunCatalogue.toJsonLines(rows));
    Files.writeString(csv, RunCatalogue.toCsv(rows));
    try (DuckDb db = DuckDb.inMemory()) {
      // The catalogue, with live statuses.
      assertEquals(
          List.of(List.of("c-killed")),
          db.rows("SELECT run_id FROM read_json_auto('" + jsonl + "') WHERE status = 'killed'"));
      assertEquals(
          List.of(List.of("b-partial", 1L)),
          db.rows(
              "SELECT run_id, items_failed FROM read_csv_auto('"
                  + csv
                  + "') WHERE items_failed > 0"));
      // The manifests themselves, nested fields included.
      String manifests = "read_json_auto('" + dir + "/runs/*/manifest.json', union_by_name=true)";
      assertEquals(
          List.of(List.of("a-ok", "1"), List.of("b-partial", "2")),
          db.rows(
              "SELECT run_id, CAST(len(outputs) AS VARCHAR) FROM "
                  + manifests
                  + " WHERE status IN ('succeeded', 'partial') ORDER BY run_id"));
      assertEquals(
          List.of(List.of("b-partial")),
          db.rows(
              "SELECT run_id FROM "
                  + manifests
                  + " , unnest(inputs) AS i(input) WHERE input.path LIKE '%samples.csv'"));
    }
  }
}

package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import io.beamline.runners.BeamlineCliTest.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's recorded {@code runs/<id>/config.yaml}, fed back with {@code --config} and nothing but
 * another workspace, makes the same outputs: for {@code infer run} (seeded injected failures and
 * retries included) and for {@code constellation} (seeded faults, and the session start that
 * defaulted to "now" in the first run). {@code ConfigFileTest} covers {@code regions}.
 */
class ReproductionTest {
  @TempDir Path dir;

  private static Path recordedConfig(Path workspace) throws Exception {
    try (Stream<Path> s = Files.list(workspace.resolve("runs"))) {
      List<Path> runs = s.toList();
      assertEquals(1, runs.size(), runs.toString());
      return runs.get(0).resolve("config.yaml");
    }
  }

  @Test
  void inferRunIsReproducedFromItsRecordedConfig() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[1][22_050 * 9];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] =
          (float) (0.3 * Math.sin(i * (0.2 + (i / 22_050) * 0.1)) * (i % 9000 < 3000 ? 1 : 0.1));
    }
    WavWriter.write(rec.resolve("site7.wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path chunks = dir.resolve("chunks");
    Result chunked =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output-dir", chunks.toString());
    assertEquals(0, chunked.code(), chunked.err());

    Path first = dir.resolve("first");
    Result r =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--manifest",
            chunks.resolve("manifests").toString(),
            "--output-dir",
            first.toString(),
            "--stub-runner",
            "--batch-size",
            "2",
            "--backoff-base-s",
            "0",
            "--inject-failure-rate",
            "0.4",
            "--max-retries",
            "1",
            "--seed",
            "17");
    assertEquals(3, r.code(), "some chunks fail for good at this seed: " + r.err());

    Path second = dir.resolve("second");
    Result again =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--config",
            recordedConfig(first).toString(),
            "--output-dir",
            second.toString());
    assertEquals(3, again.code(), again.err());
    List<List<Object>> a = detections(first.resolve("detections/site7.parquet"));
    assertFalse(a.isEmpty());
    assertEquals(a, detections(second.resolve("detections/site7.parquet")));
    assertEquals(failed(first), failed(second), "the same chunks fail for good");
  }

  /** Detection rows without the run id and commit time, in file order. */
  private static List<List<Object>> detections(Path parquet) throws Exception {
    int runId = DetectionsTable.SEED_COLUMNS.indexOf("run_id");
    List<List<Object>> rows = new ArrayList<>();
    DetectionsTable.read(
        parquet,
        row -> {
          List<Object> v = new ArrayList<>(row.values());
          v.remove(runId);
          rows.add(v);
        });
    return rows;
  }

  /** The chunk ids with a failure record. */
  private static List<String> failed(Path workspace) throws Exception {
    try (Stream<Path> s = Files.walk(workspace.resolve("commits"))) {
      List<String> out = new ArrayList<>();
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        if (Files.readString(p).contains("\"failed\"")) {
          out.add(workspace.resolve("commits").relativize(p).toString());
        }
      }
      return out;
    }
  }

  @Test
  void constellationIsReproducedFromItsRecordedConfig() throws Exception {
    Path first = dir.resolve("first");
    Result r =
        BeamlineCliTest.run(
            "constellation",
            "--duration",
            "2",
            "--no-kafka",
            "--fault-injection",
            "--seed",
            "5",
            "--subject-id",
            "s1",
            "--session-id",
            "r1",
            "--output-dir",
            first.toString());
    assertEquals(0, r.code(), r.err());
    Thread.sleep(1100); // a session start that defaulted to "now" would differ by a second
    Path second = dir.resolve("second");
    Result again =
        BeamlineCliTest.run(
            "constellation",
            "--config",
            recordedConfig(first).toString(),
            "--output-dir",
            second.toString());
    assertEquals(0, again.code(), again.err());
    Map<String, byte[]> a = dataFiles(first.resolve("raw/s1/r1"));
    assertFalse(a.isEmpty());
    Map<String, byte[]> b = dataFiles(second.resolve("raw/s1/r1"));
    assertEquals(a.keySet(), b.keySet());
    List<String> differ =
        a.keySet().stream().filter(k -> !Arrays.equals(a.get(k), b.get(k))).toList();
    assertEquals(List.of(), differ, "data files that differ between the run and its reproduction");
  }

  /**
   * The session's data: the Parquet time series as their sorted rows through DuckDB (shards write
   * rows in the order they arrive) and the video image's files byte for byte. (The NWB file records
   * when it was written, and the sync report the wall-clock throughput.)
   */
  private static Map<String, byte[]> dataFiles(Path raw) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(raw)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = raw.relativize(p).toString();
        if (rel.startsWith("timeseries/")) {
          try (DuckDb db = DuckDb.inMemory()) {
            String rows =
                db.rows(
                        "SELECT * FROM read_parquet("
                            + DuckDb.literal(p.toString())
                            + ") ORDER BY ALL")
                    .toString();
            out.put(rel, rows.getBytes(StandardCharsets.UTF_8));
          }
        } else if (rel.contains(".zarr/")) {
          out.put(rel, Files.readAllBytes(p));
        }
      }
    }
    return out;
  }
}

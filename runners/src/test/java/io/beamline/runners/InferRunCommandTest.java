package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline infer run} from the command line: flags, a stub run after infer chunk, errors.
 */
class InferRunCommandTest {
  @TempDir Path dir;

  @Test
  void helpListsTheFlags() {
    BeamlineCliTest.Result r = BeamlineCliTest.run("infer", "run", "--help");
    assertEquals(0, r.code(), r.err());
    for (String flag :
        List.of(
            "--manifest",
            "--model",
            "--stub-runner",
            "--batch-size",
            "--max-wait-ms",
            "--max-gpus",
            "--workers-per-gpu",
            "--cpu-workers",
            "--resume-summary",
            "--resume-completed",
            "--inject-failure-rate",
            "--seed",
            "--max-retries",
            "--backoff-base-s",
            "--min-confidence",
            "--output-dir",
            "--output",
            "--log-dir",
            "--worker-per-gpu",
            "--workers",
            "--use-hawkears",
            "--print-datalad-run",
            "MANIFEST")) {
      assertThat(r.out(), containsString(flag));
    }
  }

  @Test
  void chunkThenRunWithTheStubThenResume() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[1][22_050 * 7];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.9) * (i % 22_050 < 4000 ? 1 : 0.05));
    }
    WavWriter.write(rec.resolve("site2.wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path out = dir.resolve("out");
    BeamlineCliTest.Result chunked =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output-dir", out.toString());
    assertEquals(0, chunked.code(), chunked.err());

    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--manifest",
            out.resolve("manifests/site2.csv").toString(),
            "--output-dir",
            out.toString(),
            "--stub-runner",
            "--backoff-base-s",
            "0",
            "--inject-failure-rate",
            "0.5",
            "--max-retries",
            "0",
            "--seed",
            "2",
            "--run-id",
            "run-a");
    assertEquals(3, r.code(), "chunks failed: exit 3 (partial); " + r.err());
    assertThat(r.out(), containsString("run run-a partial"));
    assertThat(r.err(), containsString("items failed; failure records (status \"failed\") in"));
    String summary = Files.readString(out.resolve("site2.summary.json"));
    assertThat(summary, containsString("\"run_id\" : \"run-a\""));
    assertEquals(3, Files.readAllLines(out.resolve("telemetry/site2.jsonl")).size());
    assertTrue(Files.exists(out.resolve("detections/site2.parquet")));

    BeamlineCliTest.Result resumed =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--manifest",
            out.resolve("manifests").toString(),
            "--output-dir",
            out.toString(),
            "--stub-runner",
            "--resume-completed",
            "--run-id",
            "run-b");
    assertEquals(0, resumed.code(), resumed.err());
    assertThat(
        Files.readString(out.resolve("site2.summary.json")),
        containsString("\"run_id\" : \"run-b\""));
    assertThat(
        Files.readString(out.resolve("site2.summary.json")),
        containsString("\"status\" : \"succeeded\""));
    assertThat(
        Files.readString(out.resolve("site2.summary.json")),
        org.hamcrest.Matchers.not(containsString("\"status\" : \"failed\"")));
  }

  @Test
  void orchestrateApplyRunsTheRealInferRunThenAggregates() throws Exception {
    Path rec = dir.resolve("recordings");
    for (String site : List.of("north", "south")) {
      float[][] x = new float[1][22_050 * 5];
      for (int i = 0; i < x[0].length; i++) {
        x[0][i] = (float) (0.3 * Math.sin(i * 0.7) * (i % 22_050 < 5000 ? 1 : 0.05));
      }
      WavWriter.write(rec.resolve(site + ".wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    }
    Path out = dir.resolve("out");
    BeamlineCliTest.Result chunked =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output-dir", out.toString());
    assertEquals(0, chunked.code(), chunked.err());

    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "orchestrate",
            out.toString(),
            "--apply",
            "--run-args",
            "--stub-runner --backoff-base-s 0");
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("2 runs and the aggregation succeeded"));
    for (String site : List.of("north", "south")) {
      String summary = Files.readString(out.resolve(site + ".summary.json"));
      assertThat(summary, containsString("\"status\" : \"succeeded\""));
      assertThat(summary, org.hamcrest.Matchers.not(containsString("\"status\" : \"failed\"")));
    }
    assertTrue(Files.exists(out.resolve("aggregate/detections.duckdb")));
    assertTrue(Files.exists(out.resolve("aggregate/quicklook.csv")));
  }

  /** Seed 002's commands as pasted (with the stub where the seed has no model to run). */
  @Test
  void aManifestInBadcsOwnColumnsIsAccepted() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[1][22_050 * 7];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.9) * (i % 22_050 < 4000 ? 1 : 0.05));
    }
    WavWriter.write(rec.resolve("GNWT-114.wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path data = dir.resolve("data");
    assertEquals(
        0,
        BeamlineCliTest.run(
                "infer", "chunk", "--recordings", rec.toString(), "--output-dir", data.toString())
            .code());
    // The seed's manifest:
    // recording_id,chunk_id,source_path,start_ms,end_ms,overlap_ms,sha256,notes
    List<String> lines = Files.readAllLines(data.resolve("manifests/GNWT-114.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    List<String> seed =
        List.of(
            "recording_id",
            "chunk_id",
            "source_path",
            "start_ms",
            "end_ms",
            "overlap_ms",
            "sha256",
            "notes");
    StringBuilder csv = new StringBuilder(String.join(",", seed)).append('\n');
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      List<String> row = new java.util.ArrayList<>();
      for (String c : seed) {
        row.add(
            c.equals("source_path")
                ? cells[header.indexOf("chunk_path")]
                : cells[header.indexOf(c)]);
      }
      csv.append(String.join(",", row)).append('\n');
    }
    Path badc = Files.writeString(data.resolve("manifests/GNWT-114.csv"), csv.toString());
    Path out = dir.resolve("out");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer", "run", badc.toString(), "--stub-runner", "--output-dir", out.toString());
    assertEquals(0, r.code(), r.err());
    // 7 s in 3 s chunks; the spans were read in ms from the seed's columns.
    List<String> lines2 = Files.readAllLines(badc);
    assertEquals(4, lines2.size());
    for (String line : lines2.subList(1, lines2.size())) {
      String[] cells = line.split(",", -1);
      Path raw = out.resolve("artifacts/infer/GNWT-114/" + cells[1] + ".json");
      com.fasterxml.jackson.databind.JsonNode n =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw.toFile());
      assertEquals(Double.parseDouble(cells[3]) / 1000, n.get("start_s").asDouble(), line);
      assertEquals(Double.parseDouble(cells[4]) / 1000, n.get("end_s").asDouble(), line);
    }
  }

  @Test
  void seedCommandsWorkAsPasted() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[1][22_050 * 4];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.5) * (i % 22_050 < 3000 ? 1 : 0.05));
    }
    WavWriter.write(rec.resolve("XXXX-000.wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path data = dir.resolve("data");
    assertEquals(
        0,
        BeamlineCliTest.run(
                "infer", "chunk", "--recordings", rec.toString(), "--output-dir", data.toString())
            .code());
    Path manifest = data.resolve("manifests/XXXX-000.csv");

    // badc infer run data/x/manifests/X.csv --cpu-workers 1 (positional manifest)
    Path out = dir.resolve("out");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "run",
            manifest.toString(),
            "--cpu-workers",
            "1",
            "--stub-runner",
            "--output-dir",
            out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("detections/XXXX-000.parquet")));

    // badc infer run --manifest m.csv --output artifacts/infer --max-gpus 2 --worker-per-gpu 1
    Path raw = out.resolve("artifacts/infer");
    // The run's notes and progress go to System.err (the terminal), not to the CLI's writer.
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    java.io.PrintStream savedErr = System.err;
    System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      r =
          BeamlineCliTest.run(
              "infer",
              "run",
              "--manifest",
              manifest.toString(),
              "--output",
              raw.toString(),
              "--max-gpus",
              "2",
              "--worker-per-gpu",
              "1",
              "--use-hawkears",
              "--output-dir",
              out.toString(),
              "--log-dir",
              dir.resolve("logs").toString());
    } finally {
      System.setErr(savedErr);
    }
    assertEquals(0, r.code(), r.err());
    if (ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0) {
      // No GPU here: the model ran on the CPU, and the run said so in one line.
      String printed = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(printed, containsString("note: --max-gpus 2, but PyTorch sees no GPU"));
      assertThat(
          Files.readString(dir.resolve("logs/XXXX-000.workers.csv")), containsString("cpu-0"));
    }
    assertTrue(Files.isRegularFile(raw.resolve("XXXX-000/XXXX-000_0_3000.json")));
    assertFalse(Files.exists(raw.resolve("artifacts")), "raw outputs are not doubled");
    assertTrue(Files.isRegularFile(dir.resolve("logs/XXXX-000.summary.json")));
    assertTrue(Files.isRegularFile(dir.resolve("logs/XXXX-000.workers.csv")));
    assertTrue(Files.isRegularFile(dir.resolve("logs/XXXX-000.jsonl")));
    assertThat(
        Files.readString(dir.resolve("logs/XXXX-000.summary.json")),
        containsString("\"status\" : \"succeeded\""));

    // --workers N, and --resume-summary / --resume-completed skip what is committed: no attempt.
    // They resume with the detector the chunks were committed with (--use-hawkears): a chunk
    // committed under another detector has another config hash and is inferred again.
    Path telemetry = out.resolve("telemetry/XXXX-000.jsonl");
    long lines = Files.readAllLines(telemetry).size();
    r =
        BeamlineCliTest.run(
            "infer",
            "run",
            manifest.toString(),
            "--workers",
            "2",
            "--use-hawkears",
            "--resume-summary",
            dir.resolve("logs/XXXX-000.summary.json").toString(),
            "--output-dir",
            out.toString(),
            "--output",
            raw.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(lines, Files.readAllLines(telemetry).size());
    r =
        BeamlineCliTest.run(
            "infer",
            "run",
            manifest.toString(),
            "--use-hawkears",
            "--resume-completed",
            "--output-dir",
            out.toString(),
            "--output",
            raw.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(lines, Files.readAllLines(telemetry).size());

    // --print-datalad-run: a datalad run command, and nothing written
    Path fresh = dir.resolve("fresh");
    r =
        BeamlineCliTest.run(
            "infer",
            "run",
            manifest.toString(),
            "--stub-runner",
            "--output-dir",
            fresh.toString(),
            "--print-datalad-run");
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), startsWith("datalad run -m 'beamline infer run XXXX-000' --input "));
    assertThat(r.out(), containsString("--output " + fresh + " -- beamline infer run "));
    assertThat(r.out(), org.hamcrest.Matchers.not(containsString("--print-datalad-run")));
    assertFalse(Files.exists(fresh), "nothing is written");

    r = BeamlineCliTest.run("infer", "run", manifest.toString(), "--manifest", manifest.toString());
    assertEquals(2, r.code());
    assertThat(r.err(), containsString("MANIFEST given twice"));
  }

  /** Finding 3 on the command line: most chunks fail, so the run exits 3 and says where. */
  @Test
  void failedChunksExitThreeWithTheirRecords() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[1][22_050 * 7];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.2 * Math.sin(i * 0.3));
    }
    WavWriter.write(rec.resolve("flaky.wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path out = dir.resolve("out");
    BeamlineCliTest.run(
        "infer", "chunk", "--recordings", rec.toString(), "--output-dir", out.toString());
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--manifest",
            out.resolve("manifests/flaky.csv").toString(),
            "--stub-runner",
            "--inject-failure-rate",
            "0.9",
            "--backoff-base-s",
            "0",
            "--output-dir",
            out.toString());
    assertEquals(3, r.code(), r.err());
    assertThat(r.err(), containsString("items failed"));
    assertThat(r.err(), containsString(out.resolve("commits/infer-run").toString()));
    assertThat(r.err(), containsString("injected failure"));
  }

  /** Finding 1 on the command line: a file where the detections directory goes. */
  @Test
  void aFileInPlaceOfTheDetectionsDirectoryIsAOneLineError() throws Exception {
    Path rec = dir.resolve("recordings");
    WavWriter.write(
        rec.resolve("a.wav"), Audio.of(22_050, new float[1][22_050 * 4]), WavEncoding.PCM_16);
    Path out = dir.resolve("out");
    BeamlineCliTest.run(
        "infer", "chunk", "--recordings", rec.toString(), "--output-dir", out.toString());
    Files.writeString(out.resolve("detections"), "x\n");
    List<Path> runsBefore;
    try (java.util.stream.Stream<Path> s = Files.list(out.resolve("runs"))) {
      runsBefore = s.sorted().toList();
    }
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--manifest",
            out.resolve("manifests/a.csv").toString(),
            "--stub-runner",
            "--output-dir",
            out.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(
        r.err(), containsString(out.resolve("detections") + " (--output-dir, its detections/"));
    assertThat(r.err(), containsString("it is a file, not a directory"));
    try (java.util.stream.Stream<Path> s = Files.list(out.resolve("runs"))) {
      assertEquals(runsBefore, s.sorted().toList(), "validation writes nothing");
    }
  }

  @Test
  void missingManifestAndMissingModelAreOneLineErrors() {
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "run",
            "--manifest",
            dir.resolve("none.csv").toString(),
            "--output-dir",
            dir.toString(),
            "--stub-runner");
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), startsWith("beamline infer run: manifest not found"));
  }
}

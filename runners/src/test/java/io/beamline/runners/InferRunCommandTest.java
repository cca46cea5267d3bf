package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
            "--output-dir")) {
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
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("run run-a succeeded"));
    String summary = Files.readString(out.resolve("site2.summary.json"));
    assertThat(summary, containsString("\"run_id\" : \"run-a\""));
    assertEquals(3, Files.readAllLines(out.resolve("telemetry/site2.jsonl")).size());
    assertTrue(Files.exists(out.resolve("detections/site2.run-a-00000-of-00001.parquet")));

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

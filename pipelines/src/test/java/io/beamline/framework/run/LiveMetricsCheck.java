package io.beamline.framework.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runs {@link GatedPipeline} through {@link Runs} with {@code --metrics-port 0} on a runner and
 * scrapes the endpoint while the gate holds the run open: the samples the synthetic source has
 * generated are served live with the run's labels, next to JVM metrics; after the run the port is
 * closed. Shared by the DirectRunner test and the SparkRunner IT.
 */
final class LiveMetricsCheck {
  static final String GENERATED =
      "beamline_io_beamline_transforms_signal_SyntheticSamples_samples_generated_total";
  static final String PER_WINDOW =
      "beamline_io_beamline_transforms_signal_WindowSummary_samples_per_window";
  static final String PASSED = "beamline_gated_rows_passed_total";

  private LiveMetricsCheck() {}

  /**
   * @param distributionsWhileHeld whether the window summary (after the GroupByKey, in the gate's
   *     Spark stage) has reported while the gate holds: true on the DirectRunner, which commits
   *     every step's bundles separately
   */
  static void check(Path dir, String runner, boolean distributionsWhileHeld) throws Exception {
    String runId = "live-" + runner.toLowerCase(java.util.Locale.ROOT);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--outputDir=" + dir,
                "--runId=" + runId,
                "--metricsPort=0",
                "--runner=" + runner,
                "--sparkMaster=local[2]",
                "--sensors=2",
                "--seconds=2",
                "--rateHz=100"));
    GatedPipeline.GatedOptions o =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withoutStrictParsing()
            .as(GatedPipeline.GatedOptions.class);
    GatedPipeline.reset();
    ExecutorService exec = Executors.newSingleThreadExecutor();
    try {
      Future<RunRecord> run = exec.submit(() -> Runs.run(new GatedPipeline(), o, args));
      Path runDir = dir.resolve("runs").resolve(runId);
      URI url;
      Scrape live;
      try {
        url = Scrape.awaitMetricsUrl(runDir, Duration.ofSeconds(90));
        assertEquals("127.0.0.1", url.getHost());
        assertEquals("/metrics", url.getPath());
        live =
            Scrape.until(
                url,
                s ->
                    s.total(GENERATED) == 2 * 2 * 100
                        && (!distributionsWhileHeld || s.total(PER_WINDOW + "_count") == 4),
                Duration.ofSeconds(120));
        assertFalse(run.isDone(), "the scrape happened while the run was executing");
      } finally {
        GatedPipeline.release();
      }

      // Names, labels, values served while the run was held at the gate.
      for (Scrape.Series s : live.named(GENERATED)) {
        assertEquals("gated", s.labels().get("pipeline"));
        assertEquals(runId, s.labels().get("run_id"));
        assertThat(s.labels().get("step"), containsString("SyntheticSamples"));
      }
      assertTrue(Double.isNaN(live.total(PASSED)) || live.total(PASSED) == 0, live.text());
      List<Scrape.Series> info = live.named("beamline_run_info");
      assertEquals(1, info.size());
      assertEquals(runner, info.get(0).labels().get("runner"));
      assertEquals(runId, info.get(0).labels().get("run_id"));
      assertEquals(1.0, info.get(0).value());
      assertTrue(
          live.total("jvm_memory_used_bytes", s -> "heap".equals(s.labels().get("area"))) > 0);
      if (distributionsWhileHeld) {
        assertEquals(400.0, live.total(PER_WINDOW + "_sum"));
        assertEquals(100.0, live.total(PER_WINDOW + "_min"));
        assertEquals(100.0, live.total(PER_WINDOW + "_max"));
      }

      RunRecord r = run.get(3, TimeUnit.MINUTES);
      assertEquals("succeeded", r.status(), r.error());
      assertEquals(url.toString(), Runs.readManifest(runDir).get("metrics_url"));
      assertThat(
          Files.readString(runDir.resolve("run.log")),
          containsString("Live metrics of run " + runId + " at " + url));
      JsonNode metrics = Json.MAPPER.readTree(runDir.resolve("metrics.json").toFile());
      long passed = 0;
      for (JsonNode c : metrics.get("counters")) {
        if (c.get("name").asText().equals("rows_passed")) {
          passed += c.get("attempted").asLong();
        }
      }
      assertEquals(4, passed, "2 sensors x 2 one-second windows passed the gate");
      // Stopped at the end of the run: nothing listens on the port any more.
      assertThrows(IOException.class, () -> Scrape.of(url));
    } finally {
      exec.shutdownNow();
    }
  }
}

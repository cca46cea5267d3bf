package io.beamline.framework.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.pipelines.demo.DemoPipeline;
import io.prometheus.metrics.model.snapshots.Labels;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricKey;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsServerTest {
  @TempDir Path dir;

  private DemoPipeline.DemoOptions demo(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--outputDir=" + dir,
                "--sensors=2",
                "--seconds=2",
                "--rateHz=100",
                "--runner=DirectRunner"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .as(DemoPipeline.DemoOptions.class);
  }

  @Test
  void servesTheRunsMetricsLiveOnTheDirectRunner() throws Exception {
    LiveMetricsCheck.check(dir, "DirectRunner", true);
  }

  @Test
  void offByDefault() throws Exception {
    DemoPipeline.DemoOptions o = demo("--runId=quiet");
    assertNull(o.getMetricsPort());
    assertEquals("127.0.0.1", o.getMetricsHost());
    RunRecord r = Runs.run(new DemoPipeline(), o, List.of("demo"));
    assertEquals("succeeded", r.status(), r.error());
    Map<String, Object> manifest = Runs.readManifest(r.runDir());
    assertTrue(manifest.containsKey("metrics_url"));
    assertNull(manifest.get("metrics_url"));
    assertThat(Files.readString(r.runDir().resolve("run.log")), not(containsString("metrics of")));
    JsonNode options = Json.MAPPER.readTree(r.runDir().resolve("options.json").toFile());
    assertTrue(options.get("metricsPort").isNull());
    assertTrue(options.get("blockOnRun").asBoolean(), "the DirectRunner blocks as before");
  }

  @Test
  void aPortInUseIsAOneLineErrorAndAFailedRun() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      UserInputException e =
          assertThrows(
              UserInputException.class,
              () ->
                  Runs.run(
                      new DemoPipeline(),
                      demo("--runId=busy", "--metricsPort=" + port),
                      List.of("demo")));
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      assertThat(e.getMessage(), containsString("--metrics-port " + port));
      assertThat(e.getMessage(), containsString("127.0.0.1:" + port));
      assertThat(e.getMessage(), containsString("--metrics-port 0"));
      Map<String, Object> manifest = Runs.readManifest(dir.resolve("runs/busy"));
      assertEquals("failed", manifest.get("status"));
      assertEquals(e.getMessage(), manifest.get("error"));
      assertFalse(Files.exists(dir.resolve("demo/window_stats")), "nothing ran");
    }
  }

  @Test
  void aPortOutOfRangeIsRejectedBeforeAnythingIsWritten() {
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> Runs.run(new DemoPipeline(), demo("--metricsPort=70000"), List.of("demo")));
    assertEquals(
        "--metrics-port must be in 0..65535 (0 = any free port), got 70000", e.getMessage());
    assertFalse(Files.exists(dir.resolve("runs")));
  }

  @Test
  void anUnknownHostIsAOneLineError() {
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> MetricsServer.start("no-such-host.invalid", 0, "demo", "r", "DirectRunner"));
    assertThat(e.getMessage(), containsString("--metrics-host 'no-such-host.invalid'"));
  }

  private static <T> MetricResult<T> result(String ns, String name, String step, T value) {
    return MetricResult.create(MetricKey.create(step, MetricName.named(ns, name)), value, value);
  }

  @Test
  void beamMetricsBecomePrometheusFamilies() throws Exception {
    MetricQueryResults q =
        MetricQueryResults.create(
            List.of(
                result("constellation", "samples_ingested_eeg", "Ingest/Eeg", 10L),
                result("constellation", "samples_ingested_eeg", "Ingest/Eeg2", 5L),
                result("io.beamline.Foo$Bar", "rows-out_total", "S", 3L),
                result("constellation", "went_down", "S", -2L)),
            List.of(
                result(
                    "constellation",
                    "latency_ms_eeg",
                    "Ingest/Eeg",
                    DistributionResult.create(30, 3, 5, 15)),
                result(
                    "constellation",
                    "kafka_latency_ms",
                    "S",
                    DistributionResult.create(0, 0, Long.MAX_VALUE, Long.MIN_VALUE))),
            List.of(
                result("g", "depth", "S", GaugeResult.create(7, Instant.now())),
                result("g", "never_set", "S", GaugeResult.empty())),
            List.of());
    List<String> warnings = new ArrayList<>();
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "p", "r1", "DirectRunner")) {
      server.watch(() -> q);
      server.poll();
      Scrape s = Scrape.of(server.url());
      assertEquals(15.0, s.total("beamline_constellation_samples_ingested_eeg_total"));
      assertEquals(
          10.0,
          s.total(
              "beamline_constellation_samples_ingested_eeg_total",
              x ->
                  x.labels()
                      .equals(Map.of("pipeline", "p", "run_id", "r1", "step", "Ingest/Eeg"))));
      assertEquals(3.0, s.total("beamline_io_beamline_Foo_Bar_rows_out_total"));
      assertEquals(3.0, s.total("beamline_constellation_latency_ms_eeg_count"));
      assertEquals(30.0, s.total("beamline_constellation_latency_ms_eeg_sum"));
      assertEquals(5.0, s.total("beamline_constellation_latency_ms_eeg_min"));
      assertEquals(15.0, s.total("beamline_constellation_latency_ms_eeg_max"));
      // An empty distribution has a count and a sum, but no min or max.
      assertEquals(0.0, s.total("beamline_constellation_kafka_latency_ms_count"));
      assertTrue(Double.isNaN(s.total("beamline_constellation_kafka_latency_ms_min")));
      assertEquals(7.0, s.total("beamline_g_depth"));
      assertTrue(Double.isNaN(s.total("beamline_g_never_set")));
      // A decremented-below-zero Beam counter cannot be a Prometheus counter.
      assertFalse(s.text().contains("went_down"));
      assertThat(
          s.text(),
          containsString("# TYPE beamline_constellation_samples_ingested_eeg_total counter"));
      assertThat(s.text(), containsString("# TYPE beamline_constellation_latency_ms_eeg summary"));
    }
    BeamMetricsExposition.toSnapshots(q, Labels.EMPTY, warnings::add);
    assertEquals(1, warnings.size(), warnings.toString());
    assertThat(warnings.get(0), containsString("went_down"));
  }

  @Test
  void closingFreesThePort() throws Exception {
    int port;
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "p", "r", "DirectRunner")) {
      port = server.port();
      assertEquals("http://127.0.0.1:" + port + "/metrics", server.url().toString());
      assertTrue(Scrape.of(server.url()).names().contains("beamline_run_info"));
    }
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      assertEquals(port, again.getLocalPort());
    }
  }
}

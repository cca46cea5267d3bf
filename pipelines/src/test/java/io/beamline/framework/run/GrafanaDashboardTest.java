package io.beamline.framework.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/grafana_dashboard.json} is a Grafana dashboard whose every query names metrics that
 * {@link MetricsServer} really serves: the constellation metrics are produced by a DirectRunner
 * run, served, scraped, and the names compared.
 */
class GrafanaDashboardTest {
  static final List<String> MODALITIES =
      List.of("eeg", "audio", "video", "eda", "fnirs", "respiration", "ecg", "phone");
  private static final Pattern METRIC_IN_EXPR =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
  private static final Pattern NAME_LIKE =
      Pattern.compile("\\b((?:beamline|jvm|process)_[a-zA-Z0-9_:]*)");

  private static JsonNode dashboard;
  private static Set<String> served;

  /** Emits every metric the constellation pipeline reports, once per modality. */
  static final class ConstellationMetricsFn extends DoFn<String, Void> {
    @ProcessElement
    public void process(@Element String m) {
      Metrics.counter("constellation", "samples_ingested_" + m).inc(100);
      Metrics.counter("constellation", "packets_dropped_" + m).inc(2);
      Metrics.counter("constellation", "gap_samples_" + m).inc(8);
      Metrics.distribution("constellation", "latency_ms_" + m).update(3);
      Metrics.distribution("constellation", "kafka_latency_ms").update(5);
      Metrics.counter("constellation", "records_rejected").inc();
    }
  }

  /** {@code docs/grafana_dashboard.json}, parsed. */
  static JsonNode dashboard() throws java.io.IOException {
    Path file =
        Path.of(System.getProperty("basedir", ".")).resolve("../docs/grafana_dashboard.json");
    return Json.MAPPER.readTree(file.toFile());
  }

  @BeforeAll
  static void serveAndScrape() throws Exception {
    dashboard = dashboard();
    served = constellationScrape().names();
  }

  /**
   * Runs a pipeline reporting every constellation metric on the DirectRunner, serves its metrics
   * and scrapes them once.
   */
  static Scrape constellationScrape() throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(Create.of(MODALITIES)).apply("Constellation", ParDo.of(new ConstellationMetricsFn()));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, "constellation", "r1", "DirectRunner")) {
      server.watch(result);
      server.poll();
      return Scrape.of(server.url());
    }
  }

  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.get("panels")) {
      out.add(p);
      if (p.has("panels")) {
        p.get("panels").forEach(out::add);
      }
    }
    return out;
  }

  private static List<String> exprs() {
    List<String> out = new ArrayList<>();
    for (JsonNode p : panels(dashboard)) {
      if (p.has("targets")) {
        p.get("targets").forEach(t -> out.add(t.get("expr").asText()));
      }
    }
    return out;
  }

  @Test
  void isAGrafanaDashboardWithAPrometheusDatasourceVariable() {
    assertTrue(dashboard.get("title").isTextual());
    assertTrue(dashboard.get("uid").asText().matches("[a-zA-Z0-9_-]{1,40}"));
    assertTrue(dashboard.get("schemaVersion").isInt());
    JsonNode ds = null;
    for (JsonNode v : dashboard.get("templating").get("list")) {
      if (v.get("type").asText().equals("datasource")) {
        ds = v;
      }
    }
    assertTrue(ds != null, "a datasource variable");
    assertEquals("prometheus", ds.get("query").asText());
    String ref = "${" + ds.get("name").asText() + "}";

    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : panels(dashboard)) {
      assertTrue(ids.add(p.get("id").asInt()), "panel ids are unique: " + p.get("id"));
      JsonNode g = p.get("gridPos");
      assertTrue(
          g.get("w").asInt() > 0 && g.get("x").asInt() + g.get("w").asInt() <= 24, p.toString());
      if (!p.has("targets")) {
        assertEquals("row", p.get("type").asText());
        continue;
      }
      assertEquals(ref, p.get("datasource").get("uid").asText(), p.get("title").asText());
      Set<String> refIds = new HashSet<>();
      for (JsonNode t : p.get("targets")) {
        assertTrue(refIds.add(t.get("refId").asText()), "refIds unique in " + p.get("title"));
        assertEquals(ref, t.get("datasource").get("uid").asText());
      }
    }
  }

  @Test
  void everyQueryNamesOnlyMetricsTheExporterServes() {
    Set<String> unknown = new TreeSet<>();
    for (String e : exprs()) {
      assertEquals(count(e, '('), count(e, ')'), "balanced parentheses: " + e);
      assertEquals(count(e, '{'), count(e, '}'), "balanced braces: " + e);
      Matcher m = METRIC_IN_EXPR.matcher(e);
      boolean any = false;
      while (m.find()) {
        any = true;
        if (!served.contains(m.group(1))) {
          unknown.add(m.group(1));
        }
      }
      assertTrue(any, "names a metric with a selector: " + e);
      Matcher n = NAME_LIKE.matcher(e);
      while (n.find()) {
        if (!served.contains(n.group(1))) {
          unknown.add(n.group(1));
        }
      }
    }
    assertThat("metrics the exporter does not serve", unknown, empty());
  }

  @Test
  void everyModalityHasItsThroughputDropsGapsAndLatency() {
    String all = String.join("\n", exprs());
    for (String m : MODALITIES) {
      for (String name :
          List.of(
              "beamline_constellation_samples_ingested_" + m + "_total",
              "beamline_constellation_packets_dropped_" + m + "_total",
              "beamline_constellation_gap_samples_" + m + "_total",
              "beamline_constellation_latency_ms_" + m + "_sum",
              "beamline_constellation_latency_ms_" + m + "_count",
              "beamline_constellation_latency_ms_" + m + "_max")) {
        assertThat(served, hasItem(name));
        assertTrue(all.contains(name + "{"), "the dashboard queries " + name);
      }
    }
    for (String name :
        List.of(
            "beamline_constellation_kafka_latency_ms_sum",
            "beamline_constellation_kafka_latency_ms_min",
            "beamline_constellation_kafka_latency_ms_max",
            "jvm_memory_used_bytes")) {
      assertTrue(all.contains(name + "{"), "the dashboard queries " + name);
    }
    assertFalse(all.contains("quantile"), "Beam distributions have no quantiles to query");
  }

  private static long count(String s, char c) {
    return s.chars().filter(x -> x == c).count();
  }
}

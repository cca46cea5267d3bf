package io.beamline.framework.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.beamline.io.testing.Interop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus' own {@code promtool} reads what Beamline produces: the {@code /metrics} exposition
 * passes {@code promtool check metrics} (format and lint: help texts, counter suffixes), and every
 * query of the Grafana dashboard parses as PromQL ({@code promtool check rules}). Skipped without
 * promtool (Debian package {@code prometheus}) unless {@code BEAMLINE_REQUIRE_INTEROP=1}.
 */
class PromtoolInteropTest {
  @TempDir Path dir;

  @Test
  void theExpositionPassesPromtoolsLint() throws Exception {
    Path promtool = Interop.require("promtool");
    Path text = dir.resolve("metrics.txt");
    Scrape s = GrafanaDashboardTest.constellationScrape();
    assertTrue(s.names().contains("beamline_constellation_samples_ingested_eeg_total"));
    Files.writeString(text, s.text());
    Interop.Result r =
        Interop.run(List.of("sh", "-c", "'" + promtool + "' check metrics < '" + text + "'"));
    // Exit 1 is a format error; 3 lists lint problems. The one lint accepted: the constellation's
    // Beam metric names end in _ms (Prometheus prefers seconds), and served names keep Beam's.
    assertTrue(
        r.exitCode() == 0 || r.exitCode() == 3, r.exitCode() + ": " + r.stderr() + r.stdout());
    List<String> problems = new ArrayList<>();
    for (String line : (r.stdout() + "\n" + r.stderr()).split("\n")) {
      if (!line.isBlank()
          && !line.matches(
              "beamline_\\w*_ms(_\\w+)? metric names should not contain abbreviated units")) {
        problems.add(line);
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyDashboardQueryIsValidPromql() throws Exception {
    Path promtool = Interop.require("promtool");
    List<Map<String, Object>> rules = new ArrayList<>();
    for (JsonNode p : GrafanaDashboardTest.panels(GrafanaDashboardTest.dashboard())) {
      if (!p.has("targets")) {
        continue;
      }
      for (JsonNode t : p.get("targets")) {
        // Grafana's variables, as Grafana would interpolate them for "All" and a 1m interval.
        String expr =
            t.get("expr")
                .asText()
                .replace("$__rate_interval", "1m")
                .replace("$pipeline", ".*")
                .replace("$run_id", ".*");
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put(
            "record",
            "beamline:dashboard:panel" + p.get("id").asInt() + "_" + t.get("refId").asText());
        rule.put("expr", expr);
        rules.add(rule);
      }
    }
    assertTrue(rules.size() > 40, "every panel's queries: " + rules.size());
    Path file = dir.resolve("dashboard-rules.yml");
    new ObjectMapper(new YAMLFactory())
        .writeValue(
            file.toFile(), Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules))));
    Interop.run(List.of(promtool.toString(), "check", "rules", file.toString()))
        .assertSuccess("promtool check rules " + file);
  }
}

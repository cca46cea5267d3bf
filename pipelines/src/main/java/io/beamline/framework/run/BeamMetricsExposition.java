package io.beamline.framework.run;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;

/**
 * Beam metric results as Prometheus snapshots, named and labelled as {@link MetricsServer}'s class
 * comment says: the exposition half of the live metrics endpoint, apart from its HTTP server.
 */
final class BeamMetricsExposition {
  private static final Set<String> RESERVED_SUFFIXES =
      Set.of("_total", "_created", "_bucket", "_info");

  private BeamMetricsExposition() {}

  /**
   * Converts Beam metric results to Prometheus snapshots named and labelled as the class comment
   * says. A Beam counter with a negative value (Beam counters may be decremented, Prometheus
   * counters may not) and a name that clashes with another metric's are left out and reported
   * through {@code warn}.
   */
  static List<MetricSnapshot> toSnapshots(
      MetricQueryResults results, Labels base, java.util.function.Consumer<String> warn) {
    // name -> step -> value; TreeMaps keep the exposition in a stable order.
    Map<String, Map<String, Double>> counters = new TreeMap<>();
    Map<String, Map<String, Double>> gauges = new TreeMap<>();
    Map<String, Map<String, DistributionResult>> summaries = new TreeMap<>();
    Map<String, String> help = new java.util.HashMap<>();
    for (MetricResult<Long> c : results.getCounters()) {
      String name = counterName(c);
      long v = c.getAttempted();
      if (v < 0) {
        warn.accept(
            "Beam counter "
                + c.getName()
                + " is negative; Prometheus counters cannot be: not served");
        continue;
      }
      counters.computeIfAbsent(name, k -> new TreeMap<>()).merge(step(c), (double) v, Double::sum);
      help.putIfAbsent(name, "Beam counter " + beamName(c) + " (attempted), per step");
    }
    for (MetricResult<DistributionResult> d : results.getDistributions()) {
      DistributionResult v = d.getAttempted();
      String name = plainName(d);
      help.putIfAbsent(name, "Beam distribution " + beamName(d) + " (attempted), per step");
      help.putIfAbsent(name + "_min", "Minimum of Beam distribution " + beamName(d) + ", per step");
      help.putIfAbsent(name + "_max", "Maximum of Beam distribution " + beamName(d) + ", per step");
      summaries
          .computeIfAbsent(name, k -> new TreeMap<>())
          .merge(
              step(d),
              v,
              (a, b) ->
                  DistributionResult.create(
                      a.getSum() + b.getSum(),
                      a.getCount() + b.getCount(),
                      Math.min(a.getMin(), b.getMin()),
                      Math.max(a.getMax(), b.getMax())));
    }
    for (MetricResult<GaugeResult> g : results.getGauges()) {
      GaugeResult v = g.getAttempted();
      if (v.getTimestamp().getMillis() <= 0) {
        continue; // Beam's empty gauge (value -1 at the epoch): never set
      }
      gauges
          .computeIfAbsent(plainName(g), k -> new TreeMap<>())
          .put(step(g), (double) v.getValue());
      help.putIfAbsent(plainName(g), "Beam gauge " + beamName(g) + " (attempted), per step");
    }
    for (Map.Entry<String, Map<String, DistributionResult>> e : summaries.entrySet()) {
      Map<String, Double> mins = new TreeMap<>();
      Map<String, Double> maxs = new TreeMap<>();
      for (Map.Entry<String, DistributionResult> p : e.getValue().entrySet()) {
        if (p.getValue().getCount() > 0) {
          mins.put(p.getKey(), (double) p.getValue().getMin());
          maxs.put(p.getKey(), (double) p.getValue().getMax());
        }
      }
      gauges.putIfAbsent(e.getKey() + "_min", mins);
      gauges.putIfAbsent(e.getKey() + "_max", maxs);
    }

    List<MetricSnapshot> out = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Map.Entry<String, Map<String, Double>> e : counters.entrySet()) {
      if (claim(used, e.getKey(), e.getKey() + "_total", warn)) {
        CounterSnapshot.Builder b =
            CounterSnapshot.builder().name(e.getKey()).help(help.get(e.getKey()));
        e.getValue()
            .forEach(
                (step, v) ->
                    b.dataPoint(
                        CounterSnapshot.CounterDataPointSnapshot.builder()
                            .value(v)
                            .labels(base.add("step", step))
                            .build()));
        out.add(b.build());
      }
    }
    for (Map.Entry<String, Map<String, DistributionResult>> e : summaries.entrySet()) {
      if (claim(used, e.getKey(), e.getKey() + "_count", warn)
          && claim(used, e.getKey() + "_sum", e.getKey() + "_sum", warn)) {
        SummarySnapshot.Builder b =
            SummarySnapshot.builder().name(e.getKey()).help(help.get(e.getKey()));
        e.getValue()
            .forEach(
                (step, v) ->
                    b.dataPoint(
                        SummarySnapshot.SummaryDataPointSnapshot.builder()
                            .count(v.getCount())
                            .sum(v.getSum())
                            .labels(base.add("step", step))
                            .build()));
        out.add(b.build());
      }
    }
    for (Map.Entry<String, Map<String, Double>> e : gauges.entrySet()) {
      if (!e.getValue().isEmpty() && claim(used, e.getKey(), e.getKey(), warn)) {
        GaugeSnapshot.Builder b =
            GaugeSnapshot.builder().name(e.getKey()).help(help.get(e.getKey()));
        e.getValue()
            .forEach(
                (step, v) ->
                    b.dataPoint(
                        GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .value(v)
                            .labels(base.add("step", step))
                            .build()));
        out.add(b.build());
      }
    }
    return out;
  }

  /** Reserves a metric name (and the series name it is exposed under) unless already taken. */
  private static boolean claim(
      Set<String> used, String name, String series, java.util.function.Consumer<String> warn) {
    if (used.contains(name) || used.contains(series)) {
      warn.accept(
          "Two Beam metrics map to the Prometheus name " + series + "; the second is not served");
      return false;
    }
    used.add(name);
    used.add(series);
    return true;
  }

  /** {@code beamline_<namespace>_<name>} of a Beam counter, without a trailing {@code _total}. */
  static String counterName(MetricResult<?> r) {
    String n = join(r);
    while (n.endsWith("_total") && n.length() > "_total".length()) {
      n = n.substring(0, n.length() - "_total".length());
    }
    return n;
  }

  /** {@code beamline_<namespace>_<name>}, with {@code _value} added after a reserved suffix. */
  static String plainName(MetricResult<?> r) {
    String n = join(r);
    for (String s : RESERVED_SUFFIXES) {
      if (n.endsWith(s)) {
        return n + "_value";
      }
    }
    return n;
  }

  private static String beamName(MetricResult<?> r) {
    return r.getName().getNamespace() + "/" + r.getName().getName();
  }

  private static String join(MetricResult<?> r) {
    return MetricsServer.PREFIX
        + sanitize(r.getName().getNamespace())
        + "_"
        + sanitize(r.getName().getName());
  }

  /** Characters outside {@code [A-Za-z0-9_]} become {@code _}; runs of {@code _} collapse. */
  static String sanitize(String s) {
    String t = s.replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_");
    t = t.replaceAll("^_|_$", "");
    return t.isEmpty() ? "unnamed" : t;
  }

  private static String step(MetricResult<?> r) {
    String s = r.getKey().stepName();
    return s == null ? "" : s;
  }
}

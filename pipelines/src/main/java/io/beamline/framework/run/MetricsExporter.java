package io.beamline.framework.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;

/**
 * Converts the final metrics of a run (every counter, distribution and gauge, per step) into the
 * {@code metrics.json} document. Committed values are reported where the runner supports them,
 * otherwise {@code null}; attempted values always.
 */
public final class MetricsExporter {
  private MetricsExporter() {}

  /** Builds the JSON document for {@code results}. */
  public static String toJson(MetricQueryResults results) {
    Map<String, Object> doc = new LinkedHashMap<>();
    List<Map<String, Object>> counters = new ArrayList<>();
    for (MetricResult<Long> r : sorted(results.getCounters())) {
      Map<String, Object> m = key(r);
      m.put("attempted", r.getAttempted());
      m.put("committed", committed(r::getCommitted));
      counters.add(m);
    }
    List<Map<String, Object>> distributions = new ArrayList<>();
    for (MetricResult<DistributionResult> r : sorted(results.getDistributions())) {
      Map<String, Object> m = key(r);
      m.put("attempted", distribution(r.getAttempted()));
      DistributionResult c = committed(r::getCommitted);
      m.put("committed", c == null ? null : distribution(c));
      distributions.add(m);
    }
    List<Map<String, Object>> gauges = new ArrayList<>();
    for (MetricResult<GaugeResult> r : sorted(results.getGauges())) {
      Map<String, Object> m = key(r);
      m.put("attempted", r.getAttempted().getValue());
      GaugeResult c = committed(r::getCommitted);
      m.put("committed", c == null ? null : c.getValue());
      gauges.add(m);
    }
    doc.put("counters", counters);
    doc.put("distributions", distributions);
    doc.put("gauges", gauges);
    return Json.write(doc);
  }

  /** Sums the attempted value of every counter named {@code name} over all steps. */
  public static long counterTotal(MetricQueryResults results, String name) {
    long total = 0;
    for (MetricResult<Long> r : results.getCounters()) {
      if (r.getName().getName().equals(name)) {
        total += r.getAttempted();
      }
    }
    return total;
  }

  private static <T> List<MetricResult<T>> sorted(Iterable<MetricResult<T>> in) {
    List<MetricResult<T>> out = new ArrayList<>();
    in.forEach(out::add);
    out.sort(
        Comparator.comparing((MetricResult<T> r) -> r.getKey().stepName())
            .thenComparing(r -> r.getName().getNamespace())
            .thenComparing(r -> r.getName().getName()));
    return out;
  }

  private static Map<String, Object> key(MetricResult<?> r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", r.getKey().stepName());
    m.put("namespace", r.getName().getNamespace());
    m.put("name", r.getName().getName());
    return m;
  }

  private static Map<String, Object> distribution(DistributionResult d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", d.getCount());
    m.put("sum", d.getSum());
    m.put("min", d.getCount() == 0 ? null : d.getMin());
    m.put("max", d.getCount() == 0 ? null : d.getMax());
    m.put("mean", d.getCount() == 0 ? null : d.getMean());
    return m;
  }

  private static <T> T committed(Supplier<T> s) {
    try {
      return s.get();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }
}

package io.beamline.framework.run;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a Prometheus text exposition over HTTP, as a Prometheus server would, for the tests. */
final class Scrape {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One sample line: series name, labels, value. */
  record Series(String name, Map<String, String> labels, double value) {}

  private final String text;
  private final List<Series> series;

  private Scrape(String text, List<Series> series) {
    this.text = text;
    this.series = series;
  }

  static Scrape of(URI url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode());
    }
    return parse(r.body());
  }

  static Scrape parse(String text) {
    List<Series> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.add(new Series(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return new Scrape(text, out);
  }

  String text() {
    return text;
  }

  List<Series> series() {
    return series;
  }

  Set<String> names() {
    Set<String> names = new TreeSet<>();
    series.forEach(s -> names.add(s.name()));
    return names;
  }

  /** Sum of the values of series {@code name} (over steps); NaN when there is none. */
  double total(String name) {
    return total(name, s -> true);
  }

  double total(String name, Predicate<Series> filter) {
    double sum = 0;
    boolean any = false;
    for (Series s : series) {
      if (s.name().equals(name) && filter.test(s)) {
        sum += s.value();
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }

  List<Series> named(String name) {
    return series.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** Waits (polling, at most {@code timeout}) until the run's manifest names a metrics URL. */
  static URI awaitMetricsUrl(Path runDir, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (Files.exists(runDir.resolve("manifest.json"))) {
        Object url = Runs.readManifest(runDir).get("metrics_url");
        if (url != null) {
          return URI.create((String) url);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no metrics_url in " + runDir + " within " + timeout);
  }

  /** Scrapes until {@code done} holds (at most {@code timeout}); returns that scrape. */
  static Scrape until(URI url, Predicate<Scrape> done, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    Scrape last = null;
    while (System.nanoTime() < end) {
      last = of(url);
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "condition not met within "
            + timeout
            + "; last scrape:\n"
            + (last == null ? "" : last.text()));
  }
}

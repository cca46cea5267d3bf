package io.beamline.pipelines.constellation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Options, metrics and file helpers shared by the constellation tests. */
final class ConstellationTestSupport {
  static final String SESSION_START = "2024-05-01T12:00:00Z";
  static final ObjectMapper JSON = new ObjectMapper();

  private ConstellationTestSupport() {}

  /** Command-line arguments: subject S1, session A, a fixed session start, plus {@code extra}. */
  static List<String> args(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of(extra));
    String given = String.join(" ", extra);
    a.add("--outputDir=" + out);
    if (!given.contains("--subjectId=")) {
      a.add("--subjectId=S1");
    }
    if (!given.contains("--sessionId=")) {
      a.add("--sessionId=A");
    }
    if (!given.contains("--sessionStart=")) {
      a.add("--sessionStart=" + SESSION_START);
    }
    return a;
  }

  static ConstellationOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .as(ConstellationOptions.class);
  }

  static JsonNode read(Path json) throws IOException {
    return JSON.readTree(json.toFile());
  }

  /** Sum of the attempted values of counter {@code name} in a run's {@code metrics.json}. */
  static long counter(Path runDir, String name) throws IOException {
    long total = 0;
    boolean found = false;
    for (JsonNode c : read(runDir.resolve("metrics.json")).get("counters")) {
      if (c.get("namespace").asText().equals("constellation")
          && c.get("name").asText().equals(name)) {
        total += c.get("attempted").asLong();
        found = true;
      }
    }
    if (!found) {
      throw new AssertionError("no counter " + name + " in " + runDir);
    }
    return total;
  }

  /** The attempted distribution {@code name} (count, sum, min, max, mean) from metrics.json. */
  static JsonNode distribution(Path runDir, String name) throws IOException {
    for (JsonNode c : read(runDir.resolve("metrics.json")).get("distributions")) {
      if (c.get("namespace").asText().equals("constellation")
          && c.get("name").asText().equals(name)) {
        return c.get("attempted");
      }
    }
    throw new AssertionError("no distribution " + name + " in " + runDir);
  }

  /** Relative paths of the regular files under {@code dir}, sorted. */
  static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}

package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.run.EffectiveConfig;
import io.beamline.runners.BeamlineCliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --config FILE}, and the {@code config.yaml} every run records. */
class ConfigFileTest {
  @TempDir Path dir;

  private static Result run(String... args) {
    return BeamlineCliTest.run(args);
  }

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  private static Path onlyRun(Path workspace) throws Exception {
    try (Stream<Path> s = Files.list(workspace.resolve("runs"))) {
      List<Path> runs = s.toList();
      assertEquals(1, runs.size(), runs.toString());
      return runs.get(0);
    }
  }

  private static JsonNode yaml(Path f) throws Exception {
    return EffectiveConfig.read(f);
  }

  @Test
  void flagsComeFromTheFileAndTypedFlagsWin() throws Exception {
    Path out = dir.resolve("out");
    Path config =
        write(
            "demo.yaml",
            "pipeline: demo\n"
                + "data:\n"
                + "  workspace: "
                + out
                + "\n"
                + "modules:\n"
                + "  synthetic-samples: {sensors: 3, seconds: 2, seed: 5}\n"
                + "  write-window-stats: {num-shards: 1}\n"
                + "options:\n"
                + "  target-parallelism: 1\n");
    Result r = run("demo", "--config", config.toString(), "--seed", "9");
    assertEquals(0, r.code(), r.err());
    Path runDir = onlyRun(out);
    JsonNode recorded = yaml(runDir.resolve("config.yaml"));
    assertEquals("demo", recorded.get("pipeline").asText());
    assertEquals(out.toString(), recorded.get("data").get("workspace").asText());
    JsonNode samples = recorded.get("modules").get("synthetic-samples");
    assertEquals(3, samples.get("sensors").asInt());
    assertEquals(2.0, samples.get("seconds").asDouble());
    assertEquals(9, samples.get("seed").asLong(), "the typed --seed overrides the file's");
    assertEquals(1, recorded.get("modules").get("write-window-stats").get("num-shards").asInt());
    assertEquals("DirectRunner", recorded.get("options").get("runner").asText());
    assertFalse(recorded.get("options").has("run-id"), "the run id names the run, not its config");
    JsonNode manifest = new ObjectMapper().readTree(runDir.resolve("manifest.json").toFile());
    assertEquals("config.yaml", manifest.get("config").asText());
  }

  @Test
  void recordedConfigReproducesTheRunByteForByte() throws Exception {
    Path first = dir.resolve("first");
    Result r =
        run(
            "regions",
            "--start-region",
            "0",
            "--end-region",
            "2",
            "--synthetic-regions",
            "40",
            "--segment-ms",
            "600",
            "--segments",
            "1",
            "--iterations",
            "1",
            "--seed",
            "11",
            "--output-dir",
            first.toString());
    assertEquals(0, r.code(), r.err());
    Path recorded = onlyRun(first).resolve("config.yaml");
    Path second = dir.resolve("second");
    Result again =
        run("regions", "--config", recorded.toString(), "--output-dir", second.toString());
    assertEquals(0, again.code(), again.err());
    Map<String, byte[]> a = outputs(first);
    Map<String, byte[]> b = outputs(second);
    assertFalse(a.isEmpty());
    assertEquals(a.keySet(), b.keySet());
    List<String> differ =
        a.keySet().stream().filter(k -> !java.util.Arrays.equals(a.get(k), b.get(k))).toList();
    assertEquals(List.of(), differ, "outputs that differ between the run and its reproduction");
    // The reproduction records the same configuration, but for its workspace.
    String one = Files.readString(recorded).replace(first.toString(), "W");
    String two =
        Files.readString(onlyRun(second).resolve("config.yaml")).replace(second.toString(), "W");
    assertEquals(one, two);
  }

  /**
   * Files that record the run rather than its results: run and commit records, and the regions
   * summaries (run id and wall-clock seconds per region).
   */
  private static final List<String> PROVENANCE =
      List.of("runs/", "commits/", "region_summary/", "regions_summary.json");

  /** Every output file but {@link #PROVENANCE}, by path. */
  private static Map<String, byte[]> outputs(Path workspace) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(workspace)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = workspace.relativize(p).toString();
        if (PROVENANCE.stream().noneMatch(rel::startsWith)) {
          out.put(rel, withoutCreationTime(rel, Files.readAllBytes(p)));
        }
      }
    }
    return out;
  }

  /**
   * A MAT file's 116-byte text header says when it was written ("Created on: ..."); that text is
   * blanked from there on, every other byte is compared.
   */
  private static byte[] withoutCreationTime(String name, byte[] bytes) {
    if (name.endsWith(".mat") && bytes.length >= 116) {
      String header = new String(bytes, 0, 116, java.nio.charset.StandardCharsets.US_ASCII);
      int at = header.indexOf("Created on");
      if (at >= 0) {
        java.util.Arrays.fill(bytes, at, 116, (byte) ' ');
      }
    }
    return bytes;
  }

  @Test
  void sparkRunnerOptionsAreFlagsRecordedAndFedBack() throws Exception {
    Path out = dir.resolve("spark");
    Result r =
        run(
            "demo",
            "--seconds",
            "2",
            "--runner",
            "SparkRunner",
            "--spark-master",
            "local[1]",
            "--storage-level",
            "MEMORY_AND_DISK_SER",
            "--bundleSize",
            "4096",
            "--output-dir",
            out.toString());
    assertEquals(0, r.code(), r.err());
    Path runDir = onlyRun(out);
    JsonNode options = new ObjectMapper().readTree(runDir.resolve("options.json").toFile());
    assertThat(options.toString(), containsString("MEMORY_AND_DISK_SER"));
    JsonNode recorded = yaml(runDir.resolve("config.yaml")).get("options");
    assertEquals("MEMORY_AND_DISK_SER", recorded.get("storage-level").asText());
    assertEquals(4096, recorded.get("bundle-size").asLong());
    // The recorded file runs again (every key is a flag of the command).
    Path again = dir.resolve("again");
    Result second =
        run(
            "demo",
            "--config",
            runDir.resolve("config.yaml").toString(),
            "--output-dir",
            again.toString());
    assertEquals(0, second.code(), second.err());
    assertEquals(
        "MEMORY_AND_DISK_SER",
        yaml(onlyRun(again).resolve("config.yaml")).get("options").get("storage-level").asText());
    assertThat(run("demo", "--help").out(), containsString("--storage-level"));
  }

  @Test
  void anUnknownKeyIsOneLineNamingFileKeyAndClosestFlag() throws Exception {
    Path out = dir.resolve("out");
    Path config =
        write(
            "c.yaml",
            "data: {workspace: " + out + "}\nmodules:\n  synthetic-samples: {sensros: 3}\n");
    Result r = run("demo", "--config", config.toString());
    assertEquals(2, r.code());
    assertEquals(
        List.of(
            "beamline demo: "
                + config
                + ": unknown flag 'modules.synthetic-samples.sensros'; did you mean 'sensors'?"),
        r.errLines());
    assertFalse(Files.exists(out), "a bad config writes nothing");
  }

  @Test
  void unknownModulesSectionsAndDataKeysAreNamed() throws Exception {
    Result module =
        run("demo", "--config", write("m.yaml", "modules: {synthetic-sample: {}}\n").toString());
    assertEquals(2, module.code());
    assertThat(
        module.err(),
        containsString(
            "unknown module 'modules.synthetic-sample'; did you mean 'synthetic-samples'?"));
    Result section = run("demo", "--config", write("s.yaml", "option: {seed: 1}\n").toString());
    assertThat(section.err(), containsString("unknown section 'option'; did you mean 'options'?"));
    Result data = run("demo", "--config", write("d.yaml", "data: {scrach: /tmp}\n").toString());
    assertThat(data.err(), containsString("unknown key 'data.scrach'; did you mean 'scratch'?"));
  }

  @Test
  void aConfigForAnotherCommandIsRefused() throws Exception {
    Result r = run("demo", "--config", write("r.yaml", "pipeline: regions\n").toString());
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("is a config for another command; this is 'beamline demo'"));
  }

  @Test
  void jsonFilesRequiredFlagsAndPlansWork() throws Exception {
    Path out = dir.resolve("out");
    Path config =
        write(
            "r.json",
            "{\"pipeline\": \"regions\", \"data\": {\"workspace\": \""
                + out
                + "\", \"scratch\": \""
                + dir.resolve("scratch")
                + "\"}, \"options\": {\"start-region\": 0, \"end-region\": 1}}");
    // --start-region and --end-region are required flags; the file gives them.
    Result r = run("plan", "regions", "--config", config.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode recorded = yaml(onlyRun(out).resolve("config.yaml"));
    assertEquals(dir.resolve("scratch").toString(), recorded.get("data").get("scratch").asText());
    assertEquals(0, recorded.get("options").get("start-region").asInt());
  }

  @Test
  void aMissingFileIsAUsageError() {
    Result r = run("demo", "--config", dir.resolve("nope.yaml").toString());
    assertEquals(2, r.code());
    assertThat(r.err(), containsString("config file " + dir.resolve("nope.yaml") + " not found"));
  }

  @Test
  void toolsTakeConfigFilesToo() throws Exception {
    Path config = write("t.yaml", "options: {interval-s: -1}\n");
    Result r =
        run("infer", "monitor", "--config", config.toString(), dir.resolve("t.jsonl").toString());
    // The file's value reaches the tool: it is checked like a typed one.
    assertEquals(2, r.code());
    assertThat(r.err(), containsString("interval"));
  }

  @Test
  void theTypedArgumentWinsOverTheFilesValueOfItsFlag() throws Exception {
    Path config = write("p.yaml", "data:\n  inputs: {telemetry: from-file.jsonl}\n");
    Path typed = dir.resolve("typed.jsonl");
    Result r = run("infer", "monitor", "--config", config.toString(), typed.toString());
    assertEquals(2, r.code());
    assertEquals(
        List.of(
            "beamline infer monitor: telemetry not found: "
                + typed
                + "; give the telemetry JSONL of 'beamline infer run' (<output-dir>/telemetry/) or its"
                + " directory"),
        r.errLines());
    Result fromFile = run("infer", "monitor", "--config", config.toString());
    assertThat(fromFile.err(), containsString("telemetry not found: from-file.jsonl"));
  }

  @Test
  void everyPipelineGroupsOnlyItsOwnFlagsAndEachOnce() {
    for (BeamlinePipeline<?> def : PipelineRegistry.all()) {
      Map<String, Object> config = configOf(def);
      List<String> grouped = new ArrayList<>();
      ((Map<?, ?>) config.get("modules"))
          .values()
          .forEach(m -> ((Map<?, ?>) m).keySet().forEach(k -> grouped.add((String) k)));
      assertEquals(
          grouped.size(), grouped.stream().distinct().count(), def.name() + ": " + grouped);
      assertTrue(
          ((Map<?, ?>) config.get("options")).keySet().stream().noneMatch(grouped::contains),
          def.name());
    }
  }

  private static <O extends BeamlineOptions> Map<String, Object> configOf(BeamlinePipeline<O> def) {
    return EffectiveConfig.of(def, PipelineOptionsFactory.create().as(def.optionsClass()));
  }
}

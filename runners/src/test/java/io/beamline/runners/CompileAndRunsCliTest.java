package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.runners.BeamlineCliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamline compile} and {@code beamline runs}, through the command line's entry point. */
class CompileAndRunsCliTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void compileWritesTheWorkingDirectoryAndItsCommandRunsThere() throws Exception {
    Result c =
        BeamlineCliTest.run(
            "compile",
            "--slurm-time",
            "01:30:00",
            "demo",
            "--sensors",
            "2",
            "--seconds",
            "2",
            "--output-dir",
            dir.toString(),
            "--run-id",
            "c1");
    assertEquals(0, c.code(), c.err());
    Path work = dir.resolve("runs/c1").toAbsolutePath();
    assertThat(c.out(), containsString("compiled run c1 into " + work + "; nothing was run"));
    assertThat(c.out(), containsString("sbatch " + work.resolve("run-slurm.sbatch")));
    assertFalse(Files.exists(dir.resolve("demo")), "compiling runs nothing");
    assertThat(
        Files.readString(work.resolve("run-slurm.sbatch")),
        containsString("#SBATCH --time=01:30:00\n"));

    // The compiled command, as the direct script runs it, runs into the working directory.
    JsonNode compiled = JSON.readTree(work.resolve("compiled.json").toFile());
    List<String> command = new ArrayList<>();
    compiled.get("command").forEach(w -> command.add(w.asText()));
    assertEquals(
        List.of("demo", "--seconds=2.0", "--sensors=2", "--outputDir=" + dir, "--runId=c1"),
        command);
    command.add("--runner=DirectRunner");
    Result r = BeamlineCliTest.run(command.toArray(new String[0]));
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("record:  " + work));
    assertTrue(Files.isRegularFile(work.resolve("metrics.json")));
    assertTrue(Files.isRegularFile(work.resolve("compiled.json")));

    Result list = BeamlineCliTest.run("runs", dir.toString());
    assertEquals(0, list.code(), list.err());
    String row = list.out().lines().filter(l -> l.startsWith("c1 ")).findFirst().orElseThrow();
    assertThat(row, containsString("demo"));
    assertThat(row, containsString("succeeded"));

    Result json = BeamlineCliTest.run("runs", dir.toString(), "--format", "json");
    assertEquals(0, json.code());
    JsonNode line = JSON.readTree(json.out().lines().findFirst().orElseThrow());
    assertEquals("c1", line.get("run_id").asText());
    assertEquals("succeeded", line.get("status").asText());

    Result csv = BeamlineCliTest.run("runs", dir.toString(), "--format", "csv");
    assertThat(csv.out(), containsString("run_id,pipeline,status,start_utc"));

    Result show = BeamlineCliTest.run("runs", "show", "c1", dir.toString());
    assertEquals(0, show.code(), show.err());
    JsonNode m = JSON.readTree(show.out());
    assertEquals("succeeded", m.get("status").asText());
    assertThat(m.get("files").toString(), containsString("plan.png"));

    // A compiled directory runs once.
    Result again = BeamlineCliTest.run(command.toArray(new String[0]));
    assertEquals(2, again.code());
    assertThat(again.err(), containsString("run directory already exists"));
  }

  @Test
  void usageErrorsAreOneLine() {
    for (String[] args :
        List.of(
            new String[] {"compile"},
            new String[] {"compile", "--slurm-cpus-per-task", "many", "demo"},
            new String[] {"compile", "--slurm-mem", "lots", "demo"},
            new String[] {"runs", dir.resolve("nowhere").toString()},
            new String[] {"runs", dir.toString(), "--format", "xml"},
            new String[] {"runs", "show", "nope", dir.toString()})) {
      Result r = BeamlineCliTest.run(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertEquals(1, r.errLines().size(), r.err());
    }
  }
}

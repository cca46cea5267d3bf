package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command line's terminal (stdout and stderr of {@code java -jar beamline.jar}) holds
 * Beamline's own progress and summary lines only; the libraries' warnings that used to fill it
 * (Beam's mutation detector and coder checks, Kafka's connection retries while the embedded broker
 * starts, jHDF, DJL's CUDA detection, Spark and Hadoop start-up, picocli) are in the run's {@code
 * run.log}, or in the fallback log when they came before or outside a run.
 */
class ConsoleNoiseIT {
  @TempDir Path dir;

  /** What a library's output looks like on a terminal; none of it may appear there. */
  static final List<Pattern> NOISE =
      Stream.of(
              "MutationDetectors",
              "SerializableCoder",
              "structuralValue",
              "NetworkClient",
              "could not be established",
              "buffer still has",
              "jHDF",
              "CudaUtils",
              "Failed to detect GPU",
              "CUDA",
              "picocli",
              "Could not format",
              "SLF4J",
              "log4j",
              "NativeCodeLoader",
              "native-hadoop",
              "SparkContext",
              "\\bWARN\\b",
              "\\bINFO\\b",
              "\\bERROR\\b",
              "Exception",
              "^\\s+at ",
              "\\b(org|io|ai|com)\\.[a-z]+\\.[a-z]+")
          .map(Pattern::compile)
          .toList();

  record Proc(int code, String out, String err) {
    List<String> terminal() {
      List<String> all = new ArrayList<>(out.lines().toList());
      all.addAll(err.lines().toList());
      return all;
    }
  }

  private Proc beamline(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ShadedJarIT.JAVA));
    cmd.addAll(ShadedJarIT.addOpens());
    cmd.addAll(ShadedJarIT.quickJvm());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Dbeamline.log.file=" + dir.resolve("fallback.log"));
    cmd.add("-jar");
    cmd.add(ShadedJarIT.JAR.toString());
    cmd.addAll(List.of(args));
    ShadedJarIT.Proc p = ShadedJarIT.exec(dir, cmd);
    return new Proc(p.code(), p.out(), p.err());
  }

  /** Fails naming the first terminal line that looks like a library's output. */
  static void assertNoNoise(Proc p) {
    for (String line : p.terminal()) {
      // Paths printed by our summary lines (outputs:, record:, log:) are ours, not noise.
      String text = line.replaceAll("/\\S*", "<path>");
      for (Pattern noise : NOISE) {
        if (noise.matcher(text).find()) {
          fail("library output on the terminal (" + noise + "): " + line + "\n" + p.terminal());
        }
      }
    }
  }

  private static Path onlyRunLog(Path outputDir) throws Exception {
    try (Stream<Path> s = Files.list(outputDir.resolve("runs"))) {
      List<Path> runs = s.toList();
      assertEquals(1, runs.size(), runs.toString());
      return runs.get(0).resolve("run.log");
    }
  }

  @Test
  void constellationPrintsProgressAndSummaryWithTheNoiseInRunLog() throws Exception {
    Path out = dir.resolve("c");
    Proc p =
        beamline(
            "constellation",
            "--duration",
            "2",
            "--output-dir",
            out.toString(),
            "--subject-id",
            "s",
            "--session-id",
            "a");
    assertEquals(0, p.code(), p.err());
    assertNoNoise(p);
    // A start line naming run.log, the broker, the ingest, the four-line summary and the session
    // line; besides those, only progress lines (one per 5 s off a terminal, however slow the
    // machine).
    Pattern progress = Pattern.compile("^constellation: \\d+\\.\\d s, ingested .*");
    List<String> other = p.terminal().stream().filter(l -> !progress.matcher(l).matches()).toList();
    assertThat(other.toString(), other.size(), lessThanOrEqualTo(8));
    assertThat(p.terminal().size() - other.size(), lessThanOrEqualTo(60));
    assertThat(
        p.err().lines().findFirst().orElse(""),
        matchesPattern("constellation: run \\S+ on DirectRunner; log: .*run\\.log"));
    assertThat(p.out(), containsString("succeeded (DirectRunner, 1 item committed)"));
    String runLog = Files.readString(onlyRunLog(out));
    // The DirectRunner's checks of our coders, which printed hundreds of lines before.
    assertThat(runLog, containsString("o.a.b.s.u.MutationDetectors"));
    assertThat(runLog, containsString("o.a.b.s.c.SerializableCoder"));
    long libraryWarnings =
        runLog.lines().filter(l -> l.contains(" WARN ") && !l.contains("] i.b.")).count();
    assertTrue(libraryWarnings > 0, "no library warning in run.log:\n" + runLog);
  }

  @Test
  void inferWithTheBundledModelKeepsEngineMessagesOffTheTerminal() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[1][22_050 * 4];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.9) * (i % 22_050 < 4000 ? 1 : 0.05));
    }
    WavWriter.write(rec.resolve("site1.wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    Path chunks = dir.resolve("chunks");
    Proc chunk =
        beamline(
            "infer", "chunk", "--recordings", rec.toString(), "--output-dir", chunks.toString());
    assertEquals(0, chunk.code(), chunk.err());
    assertNoNoise(chunk);
    Path out = dir.resolve("infer");
    Proc run =
        beamline(
            "infer",
            "run",
            "--manifest",
            chunks.resolve("manifests").toString(),
            "--output-dir",
            out.toString(),
            "--model",
            "bundled");
    assertEquals(0, run.code(), run.err());
    assertNoNoise(run);
    String runLog = Files.readString(onlyRunLog(out));
    // The engine loads before the run starts (validation): its messages are in run.log too.
    assertThat(runLog, containsString("a.d.u.Platform - Found matching platform"));
    Path fallback = dir.resolve("fallback.log");
    if (runLog.contains("CudaUtils")) {
      // A machine without a usable GPU: DJL's detection failure, logged before the run began.
      assertThat(Files.readString(fallback), containsString("CudaUtils"));
    }
  }

  @Test
  void sparkStartUpStaysOffTheTerminal() throws Exception {
    Path out = dir.resolve("spark");
    Proc p =
        beamline(
            "demo",
            "--seconds",
            "3",
            "--runner=SparkRunner",
            "--spark-master",
            "local[2]",
            "--output-dir",
            out.toString());
    assertEquals(0, p.code(), p.err());
    assertNoNoise(p);
    assertThat(p.terminal().size(), lessThanOrEqualTo(4));
    String runLog = Files.readString(onlyRunLog(out));
    assertThat(runLog, containsString("SparkRunner"));
    // Spark's and Hadoop's start-up warnings (loopback hostname, no native Hadoop library) were
    // dropped before; now they are kept, in run.log.
    assertTrue(
        runLog.lines().anyMatch(l -> l.matches(".* WARN  \\[.*\\] o\\.a\\.[sh]\\..*")),
        "no Spark or Hadoop warning in run.log:\n" + runLog);
  }

  @Test
  void helpWithAPercentSignPrintsNoPicocliWarning() throws Exception {
    Proc p = beamline("constellation", "--help");
    assertEquals(0, p.code());
    assertEquals("", p.err());
    assertThat(p.out(), containsString("Drop ~5% of packets"));
  }
}

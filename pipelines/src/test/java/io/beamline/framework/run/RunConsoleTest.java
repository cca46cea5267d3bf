package io.beamline.framework.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What reaches the terminal and what goes to {@code run.log} and the fallback log, with the test
 * log configuration (the same routing as the command line's {@code log4j2.xml}). The terminal is
 * {@code System.err}, captured.
 */
class RunConsoleTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
  private PrintStream savedErr;

  @BeforeEach
  void captureTerminal() {
    savedErr = System.err;
    System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreTerminal() {
    System.setErr(savedErr);
  }

  private String terminal() {
    return terminal.toString(StandardCharsets.UTF_8);
  }

  private static String token() {
    return UUID.randomUUID().toString();
  }

  /** The library loggers whose warnings filled the terminal of a constellation or infer run. */
  private static final List<String> NOISE =
      List.of(
          "org.apache.beam.sdk.util.MutationDetectors",
          "org.apache.beam.sdk.coders.SerializableCoder",
          "org.apache.kafka.clients.NetworkClient",
          "io.jhdf.object.message.Message",
          "ai.djl.util.cuda.CudaUtils",
          "org.apache.spark.SparkContext",
          "org.apache.hadoop.util.NativeCodeLoader");

  @Test
  void libraryWarningsStayOffTheTerminalAndGoToTheRunLog() throws Exception {
    String t = token();
    Path log = dir.resolve("run.log");
    try (RunLog ignored = RunLog.attach(log, "r1")) {
      for (String name : NOISE) {
        LoggerFactory.getLogger(name).warn("{} noise {}", name, t);
      }
      // Workers log from their own threads (DirectRunner, Spark executors).
      Thread worker =
          new Thread(
              () -> LoggerFactory.getLogger(NOISE.get(0)).error("worker noise {}", t),
              "direct-runner-worker");
      worker.start();
      worker.join();
    }
    String runLog = Files.readString(log);
    for (String name : NOISE) {
      assertThat(runLog, containsString(name + " noise " + t));
    }
    assertThat(runLog, containsString("[direct-runner-worker]"));
    assertThat(runLog, containsString("worker noise " + t));
    assertThat(terminal(), not(containsString(t)));
  }

  @Test
  void javaUtilLoggingIsRoutedToTheRunLogNotTheTerminal() throws Exception {
    RunConsole.install();
    String t = token();
    Path log = dir.resolve("run.log");
    try (RunLog ignored = RunLog.attach(log, "r2")) {
      java.util.logging.Logger.getLogger("org.example.jul").warning("jul noise " + t);
    }
    assertThat(Files.readString(log), containsString("jul noise " + t));
    assertThat(terminal(), not(containsString(t)));
  }

  @Test
  void ourWarningsAndProgressLinesReachTheTerminalOnOneLineEach() throws Exception {
    Logger ours = LoggerFactory.getLogger("io.beamline.pipelines.SomeStage");
    String t = token();
    Path log = dir.resolve("run.log");
    try (RunLog ignored = RunLog.attach(log, "r3")) {
      ours.info(RunConsole.PROGRESS, "progress {}", t);
      ours.info("detail {}", t);
      ours.warn("act on this {}\nsecond line", t, new IllegalStateException("trace " + t));
      ours.error(RunConsole.LOG_ONLY, "reported by the command line {}", t, new RuntimeException());
    }
    assertEquals(
        List.of("progress " + t, "warning: act on this " + t + " second line"),
        terminal().lines().toList());
    String runLog = Files.readString(log);
    assertThat(runLog, containsString("detail " + t));
    assertThat(runLog, containsString("IllegalStateException: trace " + t));
    assertThat(runLog, containsString("reported by the command line " + t));
  }

  @Test
  void whatIsLoggedBeforeTheRunIsInItsRunLogAndTheFallbackLog() throws Exception {
    RunConsole.install();
    String t = token();
    LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").warn("before the run {}", t);
    Path log = dir.resolve("run.log");
    try (RunLog ignored = RunLog.attach(log, "r4")) {
      LoggerFactory.getLogger("org.example.Lib").warn("during the run {}", t);
    }
    String runLog = Files.readString(log);
    assertThat(runLog, containsString("before the run " + t));
    assertThat(runLog, containsString("during the run " + t));
    assertThat(
        "in order", runLog.indexOf("before the run") < runLog.indexOf("during the run " + t));
    Path fallback = RunConsole.fallbackLog();
    assertNotNull(fallback);
    assertThat(Files.readString(fallback), containsString("before the run " + t));
    assertThat(terminal(), not(containsString(t)));
  }

  @Test
  void theFallbackLogTakesWhatIsLoggedOutsideARun() throws Exception {
    String t = token();
    Logger lib = LoggerFactory.getLogger("org.example.Lib");
    lib.warn("outside before {}", t);
    Path log = dir.resolve("run.log");
    try (RunLog ignored = RunLog.attach(log, "r5")) {
      lib.warn("inside {}", t);
    }
    lib.warn("outside after {}", t);
    String fallback = Files.readString(RunConsole.fallbackLog());
    assertThat(fallback, containsString("outside before " + t));
    assertThat(fallback, containsString("outside after " + t));
    assertThat(fallback, not(containsString("inside " + t)));
    String runLog = Files.readString(log);
    assertThat(runLog, containsString("inside " + t));
    assertThat(runLog, not(containsString("outside after " + t)));
    assertThat(terminal(), not(containsString(t)));
  }
}

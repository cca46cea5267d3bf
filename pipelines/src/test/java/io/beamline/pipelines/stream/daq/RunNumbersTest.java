package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunNumbersTest {

  /** Takes {@code args[1]} numbers from the counter file {@code args[0]}, one per line. */
  public static void main(String[] args) throws IOException {
    RunNumbers n = RunNumbers.counterFile(Path.of(args[0]));
    for (int i = 0; i < Integer.parseInt(args[1]); i++) {
      System.out.println(n.next());
    }
  }

  @Test
  void aFreshCounterStartsAt100010AndCounts(@TempDir Path dir) throws IOException {
    RunNumbers n = RunNumbers.counterFile(dir.resolve("run-counter"));
    assertEquals(100_010L, n.next());
    assertEquals(100_011L, n.next());
    assertEquals("100012", Files.readString(dir.resolve("run-counter")).trim());
    // Another counter over the same file continues it.
    assertEquals(100_012L, RunNumbers.counterFile(dir.resolve("run-counter")).next());
  }

  @Test
  void threadsAndProcessesNeverShareANumber(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run-counter");
    List<Long> all = Collections.synchronizedList(new ArrayList<>());
    List<Process> children = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      children.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  RunNumbersTest.class.getName(),
                  file.toString(),
                  "40")
              .redirectErrorStream(true)
              .start());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> jobs = new ArrayList<>();
    RunNumbers n = RunNumbers.counterFile(file);
    for (int t = 0; t < 4; t++) {
      jobs.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 20; i++) {
                  all.add(n.next());
                }
                return null;
              }));
    }
    for (Future<?> j : jobs) {
      j.get();
    }
    pool.shutdown();
    for (Process c : children) {
      String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, c.waitFor(), out);
      for (String line : out.strip().split("\\R")) {
        all.add(Long.parseLong(line.trim()));
      }
    }
    assertEquals(160, all.size());
    Set<Long> unique = new HashSet<>(all);
    assertEquals(160, unique.size(), "a run number was handed out twice");
    assertEquals(100_010L, Collections.min(unique));
    assertEquals(100_169L, Collections.max(unique));
  }

  @Test
  void aCorruptCounterIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("run-counter"), "twelve\n");
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> RunNumbers.counterFile(dir.resolve("run-counter")).next());
    assertTrue(e.getMessage().contains("holds 'twelve'"), e.getMessage());
    assertEquals("twelve\n", Files.readString(dir.resolve("run-counter")));
  }

  @Test
  void anUnreachableMonitorIsOneLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RunNumbers n = RunNumbers.monitor(URI.create("http://127.0.0.1:" + port), "t");
    UserInputException e = assertThrows(UserInputException.class, n::next);
    assertTrue(e.getMessage().contains("is not reachable"), e.getMessage());
    assertTrue(e.getMessage().contains("--monitor-url"), e.getMessage());
  }
}

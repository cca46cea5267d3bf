package io.beamline.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Executes every notebook in {@code notebooks/} headless, top to bottom, with the Java kernel
 * against the freshly built {@code runners/target/beamline.jar}, as a user's Jupyter would ({@code
 * execute.py}: nbclient from Debian's {@code python3-nbclient}). Any cell error fails the test;
 * only the kernel's flaky start-up is retried. Skips without nbclient, unless {@code
 * BEAMLINE_REQUIRE_INTEROP=1} (CI), where it fails.
 */
class NotebooksIT {
  static final Path DIR = Paths.get("").toAbsolutePath();
  static final Path JAR = DIR.resolve("../runners/target/beamline.jar").normalize();

  @Test
  void everyNotebookRunsTopToBottomAgainstTheBuiltJar() throws Exception {
    requireNbclient();
    assertTrue(Files.isRegularFile(JAR), "build the jar first (mvn package): " + JAR);
    List<Path> notebooks = NotebooksTest.notebooks();
    Path executed = DIR.resolve("target/executed");
    // A fresh workspace per run: the notebooks compile and run into fixed run ids.
    Path work = DIR.resolve("target/notebook-work");
    deleteTree(work);
    Files.createDirectories(work);
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "execute.py"));
    cmd.addAll(List.of("--kernel-jar", kernelJar().toString(), "--out", executed.toString()));
    notebooks.forEach(n -> cmd.add(DIR.relativize(n).toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true);
    pb.environment().put("BEAMLINE_NOTEBOOK_WORK", work.toString());
    Path log = DIR.resolve("target/notebooks.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("notebooks did not finish in 20 minutes; see " + log);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "notebooks failed (see " + log + "):\n" + tail(out));
    for (Path n : notebooks) {
      assertTrue(
          out.contains(DIR.relativize(n) + ": ") && out.contains(" cells ran in "),
          "no run reported for " + n + ":\n" + tail(out));
      assertTrue(
          Files.isRegularFile(executed.resolve(n.getFileName())), "no executed copy of " + n);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The kernel jar, a test dependency of this module. */
  static Path kernelJar() throws Exception {
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (entry.contains("rapaio-jupyter-kernel")) {
        return Paths.get(entry);
      }
    }
    throw new IllegalStateException("rapaio-jupyter-kernel is not on the test classpath");
  }

  private static void requireNbclient() throws IOException, InterruptedException {
    boolean present = false;
    if (Files.isExecutable(Paths.get("/usr/bin/python3"))) {
      Process p =
          new ProcessBuilder("/usr/bin/python3", "-c", "import nbclient, nbformat")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      present = p.waitFor() == 0;
    }
    if (!present) {
      if ("1".equals(System.getenv("BEAMLINE_REQUIRE_INTEROP"))) {
        fail("python3-nbclient is missing but BEAMLINE_REQUIRE_INTEROP=1 requires it");
      }
      Assumptions.abort("python3-nbclient is missing; set BEAMLINE_REQUIRE_INTEROP=1 to fail");
    }
  }

  private static String tail(String s) {
    List<String> lines = s.lines().filter(l -> !l.startsWith("[20")).toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  static Stream<Path> list() throws IOException {
    return Files.list(DIR).filter(p -> p.toString().endsWith(".ipynb")).sorted();
  }
}

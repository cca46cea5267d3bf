package io.beamline.pipelines.regions;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs GNU Octave for the regions interop test, under the project's interop rule: a missing {@code
 * octave} skips the test unless {@code BEAMLINE_REQUIRE_INTEROP=1}, which makes it fail. A minimal
 * copy of io's test-only {@code Interop.octave}, which the pipelines module cannot see.
 */
final class OctaveTool {
  private OctaveTool() {}

  /** Runs {@code octave --eval code} and returns its stdout; fails the test on a non-zero exit. */
  static String eval(String code) throws IOException, InterruptedException {
    Path octave = find();
    if (octave == null) {
      String why = "octave is not installed (not found on PATH)";
      if ("1".equals(System.getenv("BEAMLINE_REQUIRE_INTEROP"))) {
        fail(why + " but BEAMLINE_REQUIRE_INTEROP=1 requires interop tools");
      }
      Assumptions.abort(why + "; set BEAMLINE_REQUIRE_INTEROP=1 to make this a failure");
    }
    Path out = Files.createTempFile("octave", ".out");
    Path err = Files.createTempFile("octave", ".err");
    try {
      Process p =
          new ProcessBuilder(
                  List.of(
                      octave.toString(), "--no-gui", "--quiet", "--no-init-file", "--eval", code))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("octave did not finish within 300 s");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        fail(
            "octave exited with "
                + p.exitValue()
                + "\nstdout:\n"
                + stdout
                + "\nstderr:\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return stdout;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Path find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, "octave");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}

package io.beamline.io.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs external tools (Python with h5py/scipy, GNU Octave) from interop tests.
 *
 * <p>The rule lives here only: when a tool is missing the test is skipped, unless the environment
 * variable {@code BEAMLINE_REQUIRE_INTEROP=1} is set, in which case it fails. CI machines that have
 * the tools set the variable so that a broken install cannot silently turn checks off.
 *
 * <pre>{@code
 * Interop.requirePython("scipy");
 * Interop.Result r = Interop.python("import scipy.io; print(scipy.io.loadmat(p)['fwd'].shape)");
 * }</pre>
 */
public final class Interop {
  /** The interpreter interop tests use; the system one, where apt installs h5py and scipy. */
  public static final String PYTHON = "/usr/bin/python3";

  /** Name of the environment variable that turns skips into failures. */
  public static final String REQUIRE_ENV = "BEAMLINE_REQUIRE_INTEROP";

  /** Generous bound so a hung tool fails the test instead of hanging the build. */
  private static final long PROCESS_LIMIT_SECONDS = 300;

  private Interop() {}

  /** Output of a finished process. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Fails the test with both streams unless the exit code is 0; returns this. */
    public Result assertSuccess(String what) {
      if (exitCode != 0) {
        fail(what + " exited with " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
      }
      return this;
    }
  }

  /** Whether missing tools must fail tests ({@code BEAMLINE_REQUIRE_INTEROP=1}). */
  public static boolean required() {
    return "1".equals(System.getenv(REQUIRE_ENV));
  }

  /**
   * Skips (or fails, when required) the current test unless {@code tool} is an executable: an
   * absolute path or a name found on {@code PATH}. Returns the resolved path.
   */
  public static Path require(String tool) {
    Path found = find(tool);
    if (found == null) {
      unavailable(tool + " is not installed (not found " + where(tool) + ")");
    }
    return found;
  }

  /**
   * Requires {@link #PYTHON} with the given importable modules (e.g. {@code "h5py"}, {@code
   * "scipy.io"}); skips or fails like {@link #require}.
   */
  public static void requirePython(String... modules) {
    require(PYTHON);
    for (String module : modules) {
      Result r = run(List.of(PYTHON, "-c", "import " + module));
      if (r.exitCode() != 0) {
        unavailable(PYTHON + " cannot import " + module + ": " + lastLine(r.stderr()));
      }
    }
  }

  /** Runs {@code code} with {@link #PYTHON} {@code -c}, extra args as {@code sys.argv[1:]}. */
  public static Result python(String code, String... args) {
    require(PYTHON);
    List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", code));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  /** Runs {@code octave --no-gui --quiet --eval code}; requires octave. */
  public static Result octave(String code) {
    Path octave = require("octave");
    return run(List.of(octave.toString(), "--no-gui", "--quiet", "--no-init-file", "--eval", code));
  }

  /** Runs a command and collects its output; fails the test if it cannot start or hangs. */
  public static Result run(List<String> command) {
    try {
      Path out = Files.createTempFile("interop", ".out");
      Path err = Files.createTempFile("interop", ".err");
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(PROCESS_LIMIT_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          fail(command.get(0) + " did not finish within " + PROCESS_LIMIT_SECONDS + " s");
        }
        return new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return fail("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while running " + command.get(0), e);
    }
  }

  private static void unavailable(String why) {
    if (required()) {
      fail(why + " but " + REQUIRE_ENV + "=1 requires interop tools");
    }
    Assumptions.abort(why + "; set " + REQUIRE_ENV + "=1 to make this a failure");
  }

  private static Path find(String tool) {
    if (tool.contains("/")) {
      Path p = Path.of(tool);
      return Files.isExecutable(p) ? p : null;
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, tool);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  private static String where(String tool) {
    return tool.contains("/") ? "at " + tool : "on PATH";
  }

  private static String lastLine(String s) {
    String[] lines = s.strip().split("\n");
    return lines[lines.length - 1];
  }
}

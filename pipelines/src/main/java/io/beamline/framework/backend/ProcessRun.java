package io.beamline.framework.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A run in a process of its own: the backend's script in the working directory, its terminal output
 * in {@code run-<backend>.out} beside {@code run.log}.
 */
final class ProcessRun extends BackendRun {
  private final Process process;

  ProcessRun(Backend backend, Path script, Path workingDir, Map<String, String> env)
      throws IOException {
    super(backend, workingDir);
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(workingDir.resolve("run-" + backend.id() + ".out").toFile());
    this.process = pb.start();
  }

  @Override
  public String status() {
    return Backends.statusOf(workingDir(), process.isAlive());
  }

  @Override
  public String waitFor(Duration timeout) throws InterruptedException {
    process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return status();
  }

  @Override
  public void cancel() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
  }

  @Override
  public String toString() {
    return super.toString() + " (pid " + process.pid() + ")";
  }
}

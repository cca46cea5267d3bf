package io.beamline.framework.backend;

import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A run submitted as a SLURM batch job ({@code sbatch --parsable}); {@code squeue} tells whether it
 * still waits or runs, the run directory how it ended, {@code scancel} stops it.
 */
final class SlurmRun extends BackendRun {
  private final String jobId;

  SlurmRun(Path script, Path workingDir) throws IOException, InterruptedException {
    super(Backend.SLURM, workingDir);
    String out = call(List.of("sbatch", "--parsable", script.toString()));
    this.jobId = out.strip().split(";", 2)[0];
    if (!jobId.matches("[0-9]+")) {
      throw new UserInputException("sbatch did not answer with a job id: " + out.strip());
    }
  }

  /** The SLURM job id. */
  String jobId() {
    return jobId;
  }

  @Override
  public String status() {
    String state;
    try {
      state = call(List.of("squeue", "-h", "-j", jobId, "-o", "%T")).strip();
    } catch (IOException e) {
      state = "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state = "";
    }
    if (state.equals("PENDING")) {
      return "pending";
    }
    return Backends.statusOf(workingDir(), !state.isEmpty());
  }

  @Override
  public String waitFor(Duration timeout) throws InterruptedException {
    Instant until = Instant.now().plus(timeout);
    String s = status();
    while (!FINAL.contains(s) && Instant.now().isBefore(until)) {
      Thread.sleep(1000);
      s = status();
    }
    return s;
  }

  @Override
  public void cancel() {
    try {
      call(List.of("scancel", jobId));
    } catch (IOException e) {
      throw new UserInputException("scancel " + jobId + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a SLURM command and returns its output; an IOException names it when it fails. */
  private static String call(List<String> cmd) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UserInputException(
          cmd.get(0) + " is not available here (" + e.getMessage() + "); run on a SLURM login node",
          e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroy();
      throw new IOException(cmd.get(0) + " did not answer within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
    }
    return out;
  }

  @Override
  public String toString() {
    return super.toString() + " (SLURM job " + jobId + ")";
  }
}

package io.beamline.framework.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * A run of a compiled pipeline on a backend, started by {@link Backends#run}. Its status is the run
 * directory's: {@code starting} until the run recorded itself, {@code pending} while a SLURM job
 * waits in the queue, {@code running}, then one of {@link #FINAL}.
 */
public interface RunHandle {

  /** Statuses a run ends with. */
  Set<String> FINAL = Set.of("succeeded", "partial", "failed", "cancelled", "killed");

  /** The backend it runs on. */
  Backend backend();

  /** The working (run) directory: plan, options, {@code run.log}, {@code manifest.json}. */
  Path workingDir();

  /** The run's log, {@code run.log} in the working directory. */
  default Path log() {
    return workingDir().resolve("run.log");
  }

  /** The status now (see the interface's description). */
  String status();

  /**
   * Waits at most {@code timeout} for the run to end; returns its status then (a {@link #FINAL} one
   * when it ended).
   */
  String waitFor(Duration timeout) throws InterruptedException;

  /**
   * Asks the run to stop and returns at once: an in-process run ends {@code cancelled}, a process
   * or SLURM job is terminated and its run recorded as {@code killed}.
   */
  void cancel();
}

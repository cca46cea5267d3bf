package io.beamline.framework.backend;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.run.RunControl;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A run in this JVM, on a thread of its own, cancelled through its {@link RunControl}. */
final class InProcessRun extends BackendRun {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessRun.class);

  private final RunControl control = new RunControl();
  private final Thread thread;
  private volatile RunRecord record;
  private volatile String error;

  <O extends BeamlineOptions> InProcessRun(
      Backend backend, BeamlinePipeline<O> def, O options, List<String> commandLine, Path dir) {
    super(backend, dir);
    this.thread =
        new Thread(
            () -> {
              try {
                record = Runs.run(def, options, commandLine, control);
              } catch (RuntimeException | Error e) {
                // Refused before it ran (a UserInputException): the manifest says why, if written.
                error = Runs.oneLine(e);
                LOG.error("Run in {} failed: {}", dir, error);
              }
            },
            "beamline-run-" + options.getRunId());
    thread.start();
  }

  @Override
  public String status() {
    if (thread.isAlive()) {
      return Backends.statusOf(workingDir(), true);
    }
    return record != null ? record.status() : "failed";
  }

  /** Why the run was refused before it started, or null. */
  String refusal() {
    return error;
  }

  @Override
  public String waitFor(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout.toNanos())));
    return status();
  }

  @Override
  public void cancel() {
    control.cancel();
  }
}

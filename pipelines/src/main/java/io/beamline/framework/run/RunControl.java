package io.beamline.framework.run;

import java.io.IOException;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets another thread cancel a run that {@link Runs#run(io.beamline.framework.BeamlinePipeline,
 * io.beamline.framework.BeamlineOptions, java.util.List, RunControl)} executes in this process. A
 * cancel that comes before the graph started cancels it as soon as it starts; the run then ends
 * with status {@link Runs#CANCELLED}.
 */
public final class RunControl {
  private static final Logger LOG = LoggerFactory.getLogger(RunControl.class);

  private PipelineResult result;
  private boolean requested;

  /** Asks the run to stop; returns at once (wait on the run for its end). */
  public void cancel() {
    PipelineResult r;
    synchronized (this) {
      requested = true;
      r = result;
    }
    if (r != null) {
      cancel(r);
    }
  }

  /** Whether {@link #cancel()} was called. */
  public synchronized boolean requested() {
    return requested;
  }

  /** Called by {@link Runs} once the graph executes. */
  void started(PipelineResult r) {
    boolean cancelNow;
    synchronized (this) {
      result = r;
      cancelNow = requested;
    }
    if (cancelNow) {
      cancel(r);
    }
  }

  private static void cancel(PipelineResult r) {
    try {
      r.cancel();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("Could not cancel the pipeline: {}", e.getMessage());
    }
  }
}

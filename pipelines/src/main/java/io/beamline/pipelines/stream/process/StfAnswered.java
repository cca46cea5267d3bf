package io.beamline.pipelines.stream.process;

import java.io.Serializable;

/**
 * An STF whose {@code stf_processed} the broker has acknowledged ({@code publish}'s second output):
 * {@code close-runs} sends a run's {@code run_processed} only after those of the STFs this process
 * committed, so on {@code swf.processing} a run's end never comes before one of its STFs.
 *
 * @param run the run number
 * @param sequence the STF's sequence number in the run
 */
record StfAnswered(long run, int sequence) implements Serializable {
  private static final long serialVersionUID = 1L;
}

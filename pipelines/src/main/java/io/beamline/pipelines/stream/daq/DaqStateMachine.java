package io.beamline.pipelines.stream.daq;

import io.beamline.io.swf.MsgType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The DAQ's state machine for one run, as a timeline: which state it enters when, which message
 * that sends, and when each STF is complete. It is plain computation on simulated time (offsets
 * from the run's start), so the same timeline drives a real-time run, a {@code --no-realtime} run
 * and the tests, and no test sleeps.
 *
 * <p>The sequence: no_beam/not_ready, beam/not_ready, {@code run_imminent}, beam/ready, {@code
 * start_run} (run/physics); in physics one STF every STF interval, counted from the start of each
 * physics period (an STF is complete at the end of its interval); between two periods {@code
 * pause_run} (run/standby) and {@code resume_run}; after the last period {@code end_run} with the
 * run's STF count (beam/not_ready), and no_beam/not_ready after the schedule's end_run time, which
 * is also when the next run's timeline starts.
 */
public final class DaqStateMachine {

  /**
   * One point of the timeline.
   *
   * @param at offset from the run's start
   * @param state the DAQ state from this point on
   * @param substate the substate from this point on
   * @param type the message sent here, or null for a state change without one
   * @param sequence for {@code stf_gen}: the STF's 1-based sequence; else 0
   * @param stfCount for {@code end_run}: the run's STF count; else 0
   * @param reason for {@code pause_run}: the reason; else null
   */
  public record Step(
      Duration at,
      String state,
      String substate,
      MsgType type,
      int sequence,
      int stfCount,
      String reason) {
    /** Whether this step completes an STF. */
    public boolean isStf() {
      return type == MsgType.STF_GEN;
    }
  }

  /**
   * When a run's physics ends.
   *
   * @param physicsTotal physics time of the run (cut into the schedule's physics periods)
   * @param maxStfs the run ends right after this many STFs, whatever the time; 0 for no limit
   */
  public record Stop(Duration physicsTotal, int maxStfs) {
    /** The schedule's physics periods. */
    public static Stop periods(DaqSchedule s) {
      return new Stop(s.physicsTotal(), 0);
    }

    /** {@code seconds} of physics. */
    public static Stop duration(double seconds) {
      return new Stop(DaqSchedule.seconds(seconds), 0);
    }

    /** Physics until {@code n} STFs are complete. */
    public static Stop stfs(int n) {
      return new Stop(null, n);
    }
  }

  private final DaqSchedule schedule;
  private final Duration stfInterval;
  private final Stop stop;

  /**
   * A state machine for runs of {@code schedule}, one STF every {@code stfInterval} in physics.
   *
   * @throws IllegalArgumentException if no STF would ever be made with {@link Stop#stfs} (the
   *     interval longer than a physics period)
   */
  public DaqStateMachine(DaqSchedule schedule, Duration stfInterval, Stop stop) {
    if (stfInterval.isNegative() || stfInterval.isZero()) {
      throw new IllegalArgumentException("STF interval must be > 0, got " + stfInterval);
    }
    if (stop.maxStfs() > 0 && stfInterval.compareTo(schedule.physics()) > 0) {
      throw new IllegalArgumentException(
          "an STF every "
              + stfInterval.toMillis() / 1000.0
              + " s never completes within a physics period of "
              + schedule.physics().toMillis() / 1000.0
              + " s");
    }
    this.schedule = schedule;
    this.stfInterval = stfInterval;
    this.stop = stop;
  }

  /** The timeline of one run, in time order (equal times in the order they happen). */
  public List<Step> run() {
    List<Step> steps = new ArrayList<>();
    Duration t = Duration.ZERO;
    steps.add(change(t, "no_beam", "not_ready", null));
    t = t.plus(schedule.noBeam());
    steps.add(change(t, "beam", "not_ready", null));
    t = t.plus(schedule.beamNotReady());
    steps.add(change(t, "beam", "not_ready", MsgType.RUN_IMMINENT));
    t = t.plus(schedule.runImminent());
    steps.add(change(t, "beam", "ready", null));
    t = t.plus(schedule.beamReady());
    steps.add(change(t, "run", "physics", MsgType.START_RUN));
    int stfs = 0;
    Duration physicsDone = Duration.ZERO;
    while (true) {
      Duration period =
          stop.physicsTotal() == null
              ? schedule.physics()
              : min(schedule.physics(), left(physicsDone));
      Duration last = null;
      for (Duration k = stfInterval; k.compareTo(period) <= 0; k = k.plus(stfInterval)) {
        stfs++;
        last = t.plus(k);
        steps.add(new Step(last, "run", "physics", MsgType.STF_GEN, stfs, 0, null));
        if (stop.maxStfs() > 0 && stfs >= stop.maxStfs()) {
          break;
        }
      }
      if (stop.maxStfs() > 0 && stfs >= stop.maxStfs()) {
        t = last;
        break;
      }
      t = t.plus(period);
      physicsDone = physicsDone.plus(period);
      if (stop.physicsTotal() != null && left(physicsDone).isZero()) {
        break;
      }
      steps.add(new Step(t, "run", "standby", MsgType.PAUSE_RUN, 0, 0, schedule.pauseReason()));
      t = t.plus(schedule.standby());
      steps.add(change(t, "run", "physics", MsgType.RESUME_RUN));
    }
    steps.add(new Step(t, "beam", "not_ready", MsgType.END_RUN, 0, stfs, null));
    t = t.plus(schedule.endRun());
    steps.add(change(t, "no_beam", "not_ready", null));
    return steps;
  }

  private Duration left(Duration physicsDone) {
    Duration l = stop.physicsTotal().minus(physicsDone);
    return l.isNegative() ? Duration.ZERO : l;
  }

  private static Step change(Duration at, String state, String substate, MsgType type) {
    return new Step(at, state, substate, type, 0, 0, null);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}

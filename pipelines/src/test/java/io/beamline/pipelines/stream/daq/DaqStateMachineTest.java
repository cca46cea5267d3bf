package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.swf.MsgType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DaqStateMachineTest {
  private static final Duration TWO = Duration.ofSeconds(2);

  /** A step as {@code "<seconds> <state>/<substate> <msg_type or ->"}, sequence for STFs. */
  private static List<String> show(List<DaqStateMachine.Step> steps) {
    List<String> out = new ArrayList<>();
    for (DaqStateMachine.Step s : steps) {
      String what = s.type() == null ? "-" : s.type().wireName();
      if (s.isStf()) {
        what += "#" + s.sequence();
      } else if (s.type() == MsgType.END_RUN) {
        what += "(" + s.stfCount() + ")";
      } else if (s.type() == MsgType.PAUSE_RUN) {
        what += "(" + s.reason() + ")";
      }
      out.add(s.at().toMillis() / 1000.0 + " " + s.state() + "/" + s.substate() + " " + what);
    }
    return out;
  }

  @Test
  void defaultScheduleIsTheOriginalsTimeline() {
    DaqSchedule d = DaqSchedule.defaults();
    List<DaqStateMachine.Step> steps =
        new DaqStateMachine(d, TWO, DaqStateMachine.Stop.periods(d)).run();
    assertEquals(
        List.of(
            "0.0 no_beam/not_ready -",
            "5.0 beam/not_ready -",
            "6.0 beam/not_ready run_imminent",
            "11.0 beam/ready -",
            "13.0 run/physics start_run",
            "15.0 run/physics stf_gen#1",
            "17.0 run/physics stf_gen#2",
            "19.0 run/physics stf_gen#3",
            "21.0 run/physics stf_gen#4",
            "23.0 run/physics stf_gen#5",
            "23.0 run/standby pause_run(scheduled standby)",
            "25.0 run/physics resume_run",
            "27.0 run/physics stf_gen#6",
            "29.0 run/physics stf_gen#7",
            "31.0 run/physics stf_gen#8",
            "33.0 run/physics stf_gen#9",
            "35.0 run/physics stf_gen#10",
            "35.0 beam/not_ready end_run(10)",
            "40.0 no_beam/not_ready -"),
        show(steps));
  }

  @Test
  void stfCountEndsPhysicsRightAfterTheLastStfAndKeepsPausing() {
    DaqSchedule d = DaqSchedule.defaults();
    List<DaqStateMachine.Step> steps =
        new DaqStateMachine(d, TWO, DaqStateMachine.Stop.stfs(12)).run();
    List<String> shown = show(steps);
    // Three physics periods: 5 + 5 + 2 STFs, two pauses.
    assertEquals(12, steps.stream().filter(DaqStateMachine.Step::isStf).count());
    assertEquals(2, steps.stream().filter(s -> s.type() == MsgType.PAUSE_RUN).count());
    assertEquals(2, steps.stream().filter(s -> s.type() == MsgType.RESUME_RUN).count());
    assertEquals("41.0 run/physics stf_gen#12", shown.get(shown.size() - 3));
    assertEquals("41.0 beam/not_ready end_run(12)", shown.get(shown.size() - 2));
    assertEquals("46.0 no_beam/not_ready -", shown.get(shown.size() - 1));
  }

  @Test
  void stfCountWithinTheFirstPeriodHasNoPause() {
    DaqSchedule d = DaqSchedule.defaults();
    List<String> shown = show(new DaqStateMachine(d, TWO, DaqStateMachine.Stop.stfs(3)).run());
    assertEquals(
        List.of(
            "13.0 run/physics start_run",
            "15.0 run/physics stf_gen#1",
            "17.0 run/physics stf_gen#2",
            "19.0 run/physics stf_gen#3",
            "19.0 beam/not_ready end_run(3)",
            "24.0 no_beam/not_ready -"),
        shown.subList(4, shown.size()));
  }

  @Test
  void durationIsCutIntoPhysicsPeriods() {
    DaqSchedule d = DaqSchedule.defaults();
    List<DaqStateMachine.Step> steps =
        new DaqStateMachine(d, TWO, DaqStateMachine.Stop.duration(15)).run();
    List<String> shown = show(steps);
    // 10 s (5 STFs), pause, 5 s (2 STFs: at 2 and 4 s of the period), end at the period's end.
    assertEquals(7, steps.stream().filter(DaqStateMachine.Step::isStf).count());
    assertEquals("29.0 run/physics stf_gen#7", shown.get(shown.size() - 3));
    assertEquals("30.0 beam/not_ready end_run(7)", shown.get(shown.size() - 2));
  }

  @Test
  void scheduleDurationsAndIntervalShapeTheTimeline() {
    DaqSchedule s =
        new DaqSchedule(
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofMillis(500),
            Duration.ZERO,
            Duration.ofSeconds(3),
            3,
            Duration.ofSeconds(1),
            Duration.ZERO,
            "beam loss");
    List<DaqStateMachine.Step> steps =
        new DaqStateMachine(s, Duration.ofSeconds(1), DaqStateMachine.Stop.periods(s)).run();
    assertEquals(9, steps.stream().filter(DaqStateMachine.Step::isStf).count());
    assertEquals(
        List.of("beam loss", "beam loss"),
        steps.stream()
            .filter(x -> x.type() == MsgType.PAUSE_RUN)
            .map(DaqStateMachine.Step::reason)
            .toList());
    // 0.5 s before physics, 3 x 3 s of physics, 2 x 1 s of standby.
    assertEquals(Duration.ofMillis(11_500), steps.get(steps.size() - 1).at());
    for (int i = 1; i < steps.size(); i++) {
      assertEquals(true, steps.get(i - 1).at().compareTo(steps.get(i).at()) <= 0, "time order");
    }
  }

  @Test
  void anIntervalLongerThanAPeriodCannotReachAnStfCount() {
    DaqSchedule d = DaqSchedule.defaults();
    assertThrows(
        IllegalArgumentException.class,
        () -> new DaqStateMachine(d, Duration.ofSeconds(11), DaqStateMachine.Stop.stfs(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DaqStateMachine(d, Duration.ZERO, DaqStateMachine.Stop.periods(d)));
  }
}

package io.beamline.pipelines.stream.daq;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.Fields;
import io.beamline.framework.StructuredFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How long the DAQ simulator stays in each state of a run, as the original testbed's simulator does
 * by default: no_beam/not_ready 5 s, beam/not_ready 1 s then {@code run_imminent} and 5 s more,
 * beam/ready 2 s, two physics periods of 10 s separated by 2 s of run/standby, then beam/not_ready
 * 5 s after {@code end_run}. A schedule file (TOML or YAML) overrides any of these; every key is
 * optional, in seconds unless said otherwise.
 *
 * @param noBeam no_beam/not_ready before each run
 * @param beamNotReady beam/not_ready before {@code run_imminent}
 * @param runImminent beam/not_ready after {@code run_imminent}
 * @param beamReady beam/ready before {@code start_run}
 * @param physics one physics period
 * @param physicsPeriods physics periods per run (unless {@code --stf-count} or {@code --duration})
 * @param standby run/standby between two physics periods
 * @param endRun beam/not_ready after {@code end_run}, before no_beam
 * @param pauseReason the {@code reason} of {@code pause_run}
 */
public record DaqSchedule(
    Duration noBeam,
    Duration beamNotReady,
    Duration runImminent,
    Duration beamReady,
    Duration physics,
    int physicsPeriods,
    Duration standby,
    Duration endRun,
    String pauseReason) {

  /** The keys of a schedule file, in the order docs/stream.md lists them. */
  public static final List<String> KEYS =
      List.of(
          "no_beam_seconds",
          "beam_not_ready_seconds",
          "run_imminent_seconds",
          "beam_ready_seconds",
          "physics_seconds",
          "physics_periods",
          "standby_seconds",
          "end_run_seconds",
          "pause_reason");

  /** The original simulator's timings. */
  public static DaqSchedule defaults() {
    return new DaqSchedule(
        seconds(5),
        seconds(1),
        seconds(5),
        seconds(2),
        seconds(10),
        2,
        seconds(2),
        seconds(5),
        "scheduled standby");
  }

  /**
   * Reads a schedule file ({@code .toml}, {@code .yaml} or {@code .yml}); absent keys keep their
   * default. Every problem (unknown key, wrong type, negative duration) is one {@code
   * UserInputException} line naming the file.
   */
  public static DaqSchedule read(Path file) {
    JsonNode root =
        StructuredFile.readMapping(file, "schedule", "--schedule", "docs/stream.md lists the keys");
    Fields f = new Fields();
    f.unknown(root, "", KEYS);
    DaqSchedule d = defaults();
    DaqSchedule s =
        new DaqSchedule(
            or(f.nonNegative(root, "no_beam_seconds"), d.noBeam),
            or(f.nonNegative(root, "beam_not_ready_seconds"), d.beamNotReady),
            or(f.nonNegative(root, "run_imminent_seconds"), d.runImminent),
            or(f.nonNegative(root, "beam_ready_seconds"), d.beamReady),
            or(f.positive(root, "physics_seconds"), d.physics),
            orInt(f.integer(root, "physics_periods", 1, 1_000_000), d.physicsPeriods),
            or(f.nonNegative(root, "standby_seconds"), d.standby),
            or(f.nonNegative(root, "end_run_seconds"), d.endRun),
            orText(f.string(root, "pause_reason"), d.pauseReason));
    f.throwIfAny("schedule " + file);
    return s;
  }

  /** Physics time of a run made of the schedule's periods. */
  public Duration physicsTotal() {
    return physics.multipliedBy(physicsPeriods);
  }

  /** {@code s} seconds, to the nanosecond. */
  static Duration seconds(double s) {
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  private static Duration or(Double value, Duration otherwise) {
    return value == null ? otherwise : seconds(value);
  }

  private static int orInt(Long value, int otherwise) {
    return value == null ? otherwise : value.intValue();
  }

  private static String orText(String value, String otherwise) {
    return value == null ? otherwise : value;
  }
}

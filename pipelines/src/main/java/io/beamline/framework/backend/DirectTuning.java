package io.beamline.framework.backend;

import io.beamline.framework.RunnerNames;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The DirectRunner settings of a production run: its immutability and encodability checks off and
 * one worker thread per core (plus the runner's monitor thread), unless the command line names
 * them.
 *
 * <p>The checks re-encode and compare every element after every step; on step-heavy graphs they
 * cost about 4x (45 cheap steps over 100k elements: 12.7 s with them, 3.2 s without) and print
 * Beam's MutationDetectors warnings. They find coder and mutation bugs, so the test suites keep
 * them on: the build sets {@value #CHECKS_ENV} for surefire and failsafe, and every run the tests
 * start, in their JVM or as a child process of it, inherits it. Users debugging a coder set it too,
 * or pass {@code --enforce-immutability} / {@code --enforce-encodability}.
 */
public final class DirectTuning {
  /** Environment variable that keeps the DirectRunner's checks on ({@code true}, {@code 1}). */
  public static final String CHECKS_ENV = "BEAMLINE_DIRECT_CHECKS";

  private static final String IMMUTABILITY = "enforceImmutability";
  private static final String ENCODABILITY = "enforceEncodability";
  private static final String PARALLELISM = "targetParallelism";

  private DirectTuning() {}

  /**
   * Tunes {@code options} for this machine and environment when they run on the DirectRunner;
   * {@code beamArgs} are the {@code --property=value} arguments they were parsed from, whose
   * settings are kept.
   */
  public static void apply(PipelineOptions options, List<String> beamArgs) {
    apply(options, beamArgs, System.getenv(), Runtime.getRuntime().availableProcessors());
  }

  /** {@link #apply(PipelineOptions, List)} with the given environment and core count. */
  static void apply(
      PipelineOptions options, List<String> beamArgs, Map<String, String> env, int cores) {
    if (!RunnerNames.is(options, RunnerNames.DIRECT)) {
      return;
    }
    DirectOptions direct = options.as(DirectOptions.class);
    boolean checks = checksOn(env);
    if (!given(beamArgs, IMMUTABILITY)) {
      direct.setEnforceImmutability(checks);
    }
    if (!given(beamArgs, ENCODABILITY)) {
      direct.setEnforceEncodability(checks);
    }
    if (!given(beamArgs, PARALLELISM)) {
      // One thread of the runner's pool is its monitor, which polls without sleeping (Beam issue
      // #18070): a worker per core needs one more.
      direct.setTargetParallelism(Math.max(1, cores) + 1);
    }
  }

  /** Whether {@code env} asks for the DirectRunner's checks. */
  public static boolean checksOn(Map<String, String> env) {
    String v = env.get(CHECKS_ENV);
    return v != null
        && List.of("true", "1", "yes", "on").contains(v.trim().toLowerCase(Locale.ROOT));
  }

  private static boolean given(List<String> beamArgs, String property) {
    String flag = "--" + property;
    return beamArgs.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
  }
}

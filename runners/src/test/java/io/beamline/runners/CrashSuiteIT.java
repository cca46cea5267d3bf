package io.beamline.runners;

import static io.beamline.runners.CrashHarness.KillPoint.when;

import io.beamline.runners.CrashHarness.Case;
import io.beamline.runners.CrashHarness.Counts;
import io.beamline.runners.CrashHarness.KillPoint;
import io.beamline.runners.CrashHarness.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash suite: the packaged command line of each pipeline, killed with SIGKILL at seeded random
 * instants spread over the whole run and at moments inside its final writes, resumed after every
 * kill, and finally compared with an uninterrupted run of the same command ({@link CrashHarness}).
 * Counts of kill points, kills that landed and items checked are printed for the record.
 */
class CrashSuiteIT {
  @TempDir static Path work;

  private static final List<String> LOG = new ArrayList<>();

  @AfterAll
  static void report() {
    LOG.forEach(System.out::println);
  }

  /**
   * The kill points of one pipeline: two chains of four seeded instants over the reference run's
   * duration, and one chain of moments that land in the item commits and the final writes.
   */
  private static List<List<KillPoint>> chains(
      long seed, Reference ref, String pipeline, List<KillPoint> moments) {
    long t = ref.millis();
    return List.of(
        CrashHarness.instants(seed, 4, t / 10, t),
        CrashHarness.instants(seed + 1, 4, t / 3, t),
        moments);
  }

  private static void record(String name, Counts c) {
    LOG.add(
        String.format(
            "crash suite %s: %d kill points, %d kills landed, %d items checked after resume,"
                + " %d files parsed",
            name, c.killPoints(), c.killsLanded(), c.itemsChecked(), c.filesChecked()));
  }

  @Test
  void regions() throws Exception {
    Case c =
        new Case(
            "regions",
            "regions",
            List.of(
                "regions",
                "--start-region",
                "0",
                "--end-region",
                "6",
                "--synthetic-regions",
                "6",
                "--synthetic-channels",
                "8",
                "--segment-ms",
                "2500",
                "--segments",
                "2",
                "--iterations",
                "0:1",
                "--source-a",
                "3.6",
                "--seed",
                "11",
                "--synthetic-sources",
                "--mix-eeg",
                "--eeg-samples-per-file",
                "16",
                "--n-data",
                "2",
                "--output-dir",
                "{out}"),
            null,
            List.of("runs/", "commits/"),
            Set.of("seconds", "total_seconds", "run_id", "committed_utc", "status"));
    c = new Case(c.name(), c.pipeline(), c.command(), c.command(), c.ignore(), c.volatileKeys());
    Reference ref = CrashHarness.reference(work, c);
    List<KillPoint> moments =
        List.of(
            when("first region committed", CrashHarness.commitsAtLeast("regions", 1)),
            when("third region committed", CrashHarness.commitsAtLeast("regions", 3)),
            when("graph finished, final writes", CrashHarness.graphFinished()),
            when("a final write in progress", CrashHarness.temporaryUnder(".")));
    record("regions", CrashHarness.run(work, c, ref, chains(101, ref, "regions", moments)));
    Files.createDirectories(work);
  }
}

package io.beamline.pipelines.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegionProgressTest {

  @Test
  void barFillsInProportion() {
    assertEquals("[----]", RegionProgress.bar(0, 10, 4));
    assertEquals("[#---]", RegionProgress.bar(3, 10, 4));
    assertEquals("[##--]", RegionProgress.bar(5, 10, 4));
    assertEquals("[####]", RegionProgress.bar(10, 10, 4));
    assertEquals("[####]", RegionProgress.bar(12, 10, 4));
  }

  @Test
  void linesNameTheRegionItsPlaceAndTheStep() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    RegionProgress p = new RegionProgress(out, "progress-test", 10, 4);
    p.step(12, 0, 60, 41, 3.256);
    p.finished(12, "succeeded", 9.61, null);
    p.finished(10, "failed", 0.5, "boom");
    p.finished(11, "skipped", 0.01, null);
    // Another run's count is its own.
    new RegionProgress(out, "progress-test-2", 0, 1).finished(0, "succeeded", 1, null);
    assertEquals(
        String.join(
            "\n",
            "region 12 (3/4) iteration 0: simulate 60 s ... spikes 41 ... clips written (3.26 s)",
            "region 12 (3/4) succeeded in 9.61 s [#####---------------] 1/4 regions done",
            "region 10 (1/4) failed in 0.50 s: boom [##########----------] 2/4 regions done",
            "region 11 (2/4) skipped in 0.01 s [###############-----] 3/4 regions done",
            "region 0 (1/1) succeeded in 1.00 s [####################] 1/1 regions done",
            ""),
        bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
  }
}

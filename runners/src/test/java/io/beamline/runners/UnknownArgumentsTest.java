package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class UnknownArgumentsTest {
  private static final List<String> FLAGS =
      List.of("--start-region", "--end-region", "--seed", "--segments", "--output-dir", "--help");

  @Test
  void closestNamesTheFlagMeant() {
    assertEquals(List.of("--start-region"), UnknownArguments.closest("--start-regoin", FLAGS));
    assertEquals(List.of("--start-region"), UnknownArguments.closest("--startregion", FLAGS));
    assertEquals(List.of("--start-region"), UnknownArguments.closest("--region-start", FLAGS));
    assertEquals(List.of("--output-dir"), UnknownArguments.closest("--outptu-dir", FLAGS));
    assertEquals(List.of("--seed"), UnknownArguments.closest("--sed", FLAGS));
    // A unique start of a name.
    assertEquals(List.of("--segments"), UnknownArguments.closest("--segm", FLAGS));
  }

  @Test
  void closestNamesNothingWhenNothingIsClose() {
    assertEquals(List.of(), UnknownArguments.closest("--frobnicate", FLAGS));
    assertEquals(List.of(), UnknownArguments.closest("--x", FLAGS));
    // "--s" starts three names and is too short to be a typo of any.
    assertEquals(List.of(), UnknownArguments.closest("--s", FLAGS));
  }

  @Test
  void closestNamesEveryEquallyCloseName() {
    assertEquals(
        List.of("--seed", "--send"),
        UnknownArguments.closest("--sexd", List.of("--seed", "--send", "--segments")));
  }
}

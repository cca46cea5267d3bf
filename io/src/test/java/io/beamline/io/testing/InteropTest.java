package io.beamline.io.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class InteropTest {

  @Test
  void missingToolSkipsOrFailsAccordingToTheEnvironment() {
    String tool = "/nonexistent/beamline-no-such-tool";
    if (Interop.required()) {
      AssertionFailedError e =
          assertThrows(AssertionFailedError.class, () -> Interop.require(tool));
      assertTrue(e.getMessage().contains(Interop.REQUIRE_ENV), e.getMessage());
    } else {
      TestAbortedException e =
          assertThrows(TestAbortedException.class, () -> Interop.require(tool));
      assertTrue(e.getMessage().contains("not installed"), e.getMessage());
    }
  }

  @Test
  void runCollectsExitCodeAndOutput() {
    Interop.require("sh");
    Interop.Result r = Interop.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
    assertEquals(3, r.exitCode());
    assertEquals("out\n", r.stdout());
    assertEquals("err\n", r.stderr());
    assertThrows(AssertionFailedError.class, () -> r.assertSuccess("sh"));
  }
}

package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamline infer train} through the command line of the registry's tools. */
class InferTrainCommandTest {
  @TempDir Path dir;

  @Test
  void helpListsTrainUnderInferWithItsFlags() {
    BeamlineCliTest.Result group = BeamlineCliTest.run("infer", "--help");
    assertEquals(0, group.code());
    assertThat(group.out(), containsString("train"));
    BeamlineCliTest.Result help = BeamlineCliTest.run("infer", "train", "--help");
    assertEquals(0, help.code());
    assertThat(help.out(), containsString("OUTPUT_DIR"));
    assertThat(help.out(), containsString("--examples-per-class"));
    assertThat(help.out(), containsString("--held-out-seed"));
    assertThat(help.out(), containsString("--threads"));
  }

  @Test
  void trainsIntoThePositionalDirectoryAndPrintsScoresPerLabel() {
    Path model = dir.resolve("models/birdcall");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "train",
            model.toString(),
            "--seed",
            "2",
            "--examples-per-class=4",
            "--epochs",
            "1",
            "--held-out-per-class",
            "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(model.resolve("birdcall-0000.params")));
    assertTrue(Files.isRegularFile(model.resolve("birdcall.properties")));
    for (String label : new String[] {"noise", "chirp", "trill", "whistle"}) {
      assertTrue(
          r.out().lines().anyMatch(l -> l.matches(label + " +(n/a|[01]\\.\\d{3}) +[01]\\.\\d{3}")),
          r.out());
    }
    assertThat(r.out(), matchesPattern("(?s).*accuracy [01]\\.\\d{3}.*"));

    BeamlineCliTest.Result again = BeamlineCliTest.run("infer", "train", model.toString());
    assertEquals(2, again.code());
    assertEquals(1, again.errLines().size(), again.err());
    assertThat(again.err(), containsString("already exists"));
  }

  @Test
  void badFlagsAreOneLineUsageErrors() {
    Path model = dir.resolve("m");
    BeamlineCliTest.Result missing = BeamlineCliTest.run("infer", "train");
    assertEquals(2, missing.code());
    assertEquals(1, missing.errLines().size(), missing.err());

    BeamlineCliTest.Result notANumber =
        BeamlineCliTest.run("infer", "train", model.toString(), "--epochs", "many");
    assertEquals(2, notANumber.code());
    assertEquals(1, notANumber.errLines().size(), notANumber.err());

    BeamlineCliTest.Result sameSeed =
        BeamlineCliTest.run("infer", "train", model.toString(), "--held-out-seed", "7");
    assertEquals(2, sameSeed.code());
    assertThat(sameSeed.err(), containsString("equals --seed"));
    assertFalse(Files.exists(model));
  }
}

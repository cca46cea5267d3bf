package io.beamline.pipelines.infer.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamline.framework.UserInputException;
import io.beamline.models.birdcall.BirdCallEvaluator;
import io.beamline.models.birdcall.BirdCallModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code beamline infer train}: determinism, the written directory, its scores, bad flags. */
public class InferTrainToolTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static Path first;
  static Path second;
  static String firstOut;

  static InferTrainTool.InferTrainOptions options(Path dir, String... extra) {
    String[] args = new String[extra.length + 1];
    args[0] = "--outputDir=" + dir;
    System.arraycopy(extra, 0, args, 1, extra.length);
    return PipelineOptionsFactory.fromArgs(args)
        .withValidation()
        .as(InferTrainTool.InferTrainOptions.class);
  }

  static String run(InferTrainTool.InferTrainOptions o) throws Exception {
    StringWriter out = new StringWriter();
    assertEquals(
        0,
        new InferTrainTool()
            .run(o, new PrintWriter(out, true), new PrintWriter(new StringWriter())));
    return out.toString();
  }

  // Small settings: determinism and format do not need a good model.
  static final String[] SMALL = {
    "--seed=5", "--examplesPerClass=6", "--epochs=2", "--heldOutSeed=6", "--heldOutPerClass=4"
  };

  @BeforeClass
  public static void trainTwice() throws Exception {
    first = TMP.getRoot().toPath().resolve("a/model");
    second = TMP.getRoot().toPath().resolve("b/model");
    firstOut = run(options(first, SMALL));
    run(options(second, SMALL));
  }

  @Test
  public void sameSeedSameParameters() throws Exception {
    byte[] a = Files.readAllBytes(first.resolve(BirdCallModel.NAME + "-0000.params"));
    byte[] b = Files.readAllBytes(second.resolve(BirdCallModel.NAME + "-0000.params"));
    assertArrayEquals(a, b);
    assertArrayEquals(
        Files.readAllBytes(first.resolve(BirdCallModel.PROPERTIES)),
        Files.readAllBytes(second.resolve(BirdCallModel.PROPERTIES)));
  }

  @Test
  public void anotherSeedOtherParameters() throws Exception {
    Path other = TMP.getRoot().toPath().resolve("c/model");
    run(options(other, "--seed=8", "--examplesPerClass=6", "--epochs=2", "--heldOutPerClass=2"));
    assertFalse(
        java.util.Arrays.equals(
            Files.readAllBytes(first.resolve(BirdCallModel.NAME + "-0000.params")),
            Files.readAllBytes(other.resolve(BirdCallModel.NAME + "-0000.params"))));
  }

  @Test
  public void printsTheScoresOfTheWrittenDirectory() throws Exception {
    // Reload the written directory through the user-model path: the printed table is its table.
    BirdCallEvaluator.Evaluation reloaded = BirdCallEvaluator.evaluate(first, 6, 4);
    assertThat(firstOut, containsString(InferTrainTool.table(reloaded)));
    assertThat(firstOut, containsString("model directory: " + first.toAbsolutePath()));
    assertThat(firstOut, containsString("held-out set: seed 6, 4 segments per label"));
    Properties d = BirdCallModel.readDescription(first);
    assertEquals("5", d.getProperty("train.seed"));
    assertEquals("1", d.getProperty("train.threads"));
    assertEquals("6", d.getProperty("eval.seed"));
    for (String label : BirdCallModel.LABELS) {
      String recall = d.getProperty("eval.recall." + label);
      assertEquals(
          label,
          Double.isNaN(reloaded.recall(label))
              ? "n/a"
              : String.format(Locale.ROOT, "%.3f", reloaded.recall(label)),
          recall);
      assertThat(firstOut, containsString(label));
    }
  }

  @Test
  public void leavesOnlyTheFinishedDirectory() throws Exception {
    try (Stream<Path> s = Files.list(first.getParent())) {
      assertEquals(List.of(first), s.toList());
    }
    try (Stream<Path> s = Files.list(first)) {
      assertEquals(2, s.count());
    }
    // Readable by others, like any directory made in its parent (not private like a temp dir).
    assertTrue(
        Files.getPosixFilePermissions(first)
            .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
  }

  @Test
  public void refusesBadInputBeforeTraining() {
    UserInputException exists =
        assertThrows(UserInputException.class, () -> run(options(first, SMALL)));
    assertThat(exists.getMessage(), containsString("already exists"));
    Path fresh = TMP.getRoot().toPath().resolve("fresh");
    UserInputException sameSeed =
        assertThrows(
            UserInputException.class, () -> run(options(fresh, "--seed=3", "--heldOutSeed=3")));
    assertThat(sameSeed.getMessage(), containsString("--held-out-seed 3 equals --seed"));
    UserInputException epochs =
        assertThrows(UserInputException.class, () -> run(options(fresh, "--epochs=0")));
    assertThat(epochs.getMessage(), containsString("--epochs 0 is out of range"));
    UserInputException threads =
        assertThrows(UserInputException.class, () -> run(options(fresh, "--threads=0")));
    assertThat(threads.getMessage(), containsString("--threads"));
    assertFalse(Files.exists(fresh));
  }

  @Test
  public void refusesAnOutputUnderAFile() throws Exception {
    Path file = TMP.newFile("plain-file").toPath();
    UserInputException e =
        assertThrows(UserInputException.class, () -> run(options(file.resolve("model"), SMALL)));
    assertThat(e.getMessage(), containsString("cannot create"));
    assertTrue(Files.isRegularFile(file));
  }
}

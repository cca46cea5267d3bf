package io.beamline.models.birdcall;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The default detector shipped as a resource. */
public class BirdCallBundledModelTest {
  /** Never used for training or for the scores recorded with the model (train 7, held out 9001). */
  static final long FRESH_SEED = 20_261_202L;

  static final int PER_CLASS = 50;
  static final double FLOOR = 0.85;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void detectsEachLabelOnAFreshHeldOutSet() throws Exception {
    Path dir = BirdCallModel.bundled(tmp.getRoot().toPath());
    Properties d = BirdCallModel.readDescription(dir);
    assertThat(Long.parseLong(d.getProperty("train.seed")), org.hamcrest.Matchers.not(FRESH_SEED));
    assertThat(Long.parseLong(d.getProperty("eval.seed")), org.hamcrest.Matchers.not(FRESH_SEED));
    BirdCallEvaluator.Evaluation e = BirdCallEvaluator.evaluate(dir, FRESH_SEED, PER_CLASS);
    System.out.println(
        "BirdCallBundledModelTest: seed " + FRESH_SEED + ", " + PER_CLASS + " per label\n" + e);
    for (String label : BirdCallModel.LABELS) {
      assertThat(label + " precision", e.precision(label), greaterThanOrEqualTo(FLOOR));
      assertThat(label + " recall", e.recall(label), greaterThanOrEqualTo(FLOOR));
    }
  }

  @Test
  public void isSmallAndDescribesItsTraining() throws Exception {
    long bytes = 0;
    for (String f : List.of("birdcall-0000.params", "birdcall.properties")) {
      try (InputStream in =
          BirdCallModel.class.getResourceAsStream(BirdCallModel.BUNDLED_RESOURCE + f)) {
        bytes += in.readAllBytes().length;
      }
    }
    assertThat(bytes, lessThan(64L * 1024));
    Properties d = BirdCallModel.readDescription(BirdCallModel.bundled(tmp.getRoot().toPath()));
    assertEquals("1", d.getProperty("train.threads"));
    assertTrue(d.containsKey("eval.recall.trill"));
  }

  @Test
  public void extractsOnceAndReusesTheDirectory() throws Exception {
    Path root = tmp.getRoot().toPath();
    Path a = BirdCallModel.bundled(root);
    Path b = BirdCallModel.bundled(root);
    assertEquals(a, b);
    assertThat(a.getFileName().toString(), containsString("birdcall-default-"));
    try (Stream<Path> s = Files.list(root)) {
      assertEquals("no temporary directory is left", List.of(a), s.toList());
    }
    try (InputStream in =
        BirdCallModel.class.getResourceAsStream(
            BirdCallModel.BUNDLED_RESOURCE + "birdcall-0000.params")) {
      assertArrayEquals(in.readAllBytes(), Files.readAllBytes(a.resolve("birdcall-0000.params")));
    }
  }

  @Test
  public void refusesACorruptedCacheNamingIt() throws Exception {
    Path dir = BirdCallModel.bundled(tmp.getRoot().toPath());
    Files.write(dir.resolve("birdcall-0000.params"), new byte[] {1, 2, 3});
    IOException e =
        assertThrows(IOException.class, () -> BirdCallModel.bundled(tmp.getRoot().toPath()));
    assertThat(e.getMessage(), containsString(dir.toString()));
    assertThat(e.getMessage(), containsString("delete the directory"));
  }

  @Test
  public void defaultCacheIsUnderTheTemporaryDirectory() throws Exception {
    Path dir = BirdCallModel.bundled();
    assertTrue(dir.startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()));
    assertEquals(dir, BirdCallModel.bundled());
    assertEquals(dir.toString(), BirdCallModel.bundledSpec().modelPath());
  }
}

package io.beamline.models.birdcall;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.beamline.models.inference.InferenceWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** One small training run shared by the tests of this class (seconds on a CPU). */
public class BirdCallModelTest {
  static final long TRAIN_SEED = 11L;
  static final long HELD_OUT_SEED = 9_001L;
  static final int PER_CLASS = 24;
  static final int EPOCHS = 10;

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static Path dir;
  static List<float[]> heldOut;
  static List<float[]> trainedScores;
  static BirdCallEvaluator.Evaluation trainedEval;
  static BirdCallEvaluator.Evaluation trainedSmallEval;
  static BirdCallTrainer.Result result;

  @BeforeClass
  public static void trainOnce() throws Exception {
    dir = TMP.getRoot().toPath().resolve("birdcall");
    heldOut = new ArrayList<>();
    for (BirdCallData.Example e : BirdCallData.examples(HELD_OUT_SEED, 3)) {
      heldOut.add(e.audio());
    }
    try (BirdCallTrainer.Trained t = BirdCallTrainer.fit(TRAIN_SEED, PER_CLASS, EPOCHS);
        Predictor<float[], float[]> pr = t.model().newPredictor(new BirdCallTranslator())) {
      trainedScores = new ArrayList<>();
      for (float[] a : heldOut) {
        trainedScores.add(pr.predict(a));
      }
      trainedEval = BirdCallEvaluator.evaluate(pr, HELD_OUT_SEED, 20);
      trainedSmallEval = BirdCallEvaluator.evaluate(pr, HELD_OUT_SEED + 1, 4);
      result = t.save(dir);
    }
    System.out.println(
        "BirdCallModelTest: trained "
            + result.parameters()
            + " parameters in "
            + result.millis()
            + " ms (features "
            + result.featureMillis()
            + " ms), final loss "
            + result.finalLoss()
            + "\n"
            + trainedEval);
  }

  @Test
  public void beatsChanceByAWideMarginOnHeldOutData() {
    // Chance is 0.25 over four balanced labels.
    assertThat(trainedEval.accuracy(), greaterThan(0.7));
    for (String label : BirdCallModel.LABELS) {
      assertThat(label, trainedEval.recall(label), greaterThan(0.4));
      assertThat(label, trainedEval.precision(label), greaterThan(0.4));
    }
  }

  @Test
  public void savedDirectoryIsSmallAndDescribed() throws IOException {
    Path params = dir.resolve(BirdCallModel.NAME + "-0000.params");
    assertTrue(Files.isRegularFile(params));
    assertThat(Files.size(params), lessThan(2L * 1024 * 1024));
    Properties d = BirdCallModel.readDescription(dir);
    assertEquals("noise,chirp,trill,whistle", d.getProperty("labels"));
    assertEquals("28000", d.getProperty("sample_rate"));
    assertEquals(Long.toString(TRAIN_SEED), d.getProperty("train.seed"));
    assertEquals(BirdCallModel.VERSION, d.getProperty("model.version"));
    try (var files = Files.list(dir.getParent())) {
      assertEquals("no temporary directory is left behind", 1, files.count());
    }
  }

  @Test
  public void reloadsThroughTheUserModelPathWithIdenticalScores() throws Exception {
    try (ZooModel<float[], float[]> m = BirdCallModel.spec(dir).load(Device.cpu());
        Predictor<float[], float[]> pr = m.newPredictor()) {
      for (int i = 0; i < heldOut.size(); i++) {
        assertArrayEquals(trainedScores.get(i), pr.predict(heldOut.get(i)), 0f);
      }
    }
    BirdCallEvaluator.Evaluation reloaded = BirdCallEvaluator.evaluate(dir, HELD_OUT_SEED + 1, 4);
    for (int t = 0; t < 4; t++) {
      assertArrayEquals(trainedSmallEval.confusion()[t], reloaded.confusion()[t]);
    }
  }

  @Test
  public void runsInAnInferenceWorkerAndRejectsWrongLengths() throws Exception {
    try (InferenceWorker<float[], float[]> w =
        InferenceWorker.open(BirdCallModel.spec(dir), "birdcall-test", 0, 1, 0)) {
      for (int i = 0; i < heldOut.size(); i++) {
        // One input per call is the same call shape as predict(): identical floats.
        assertArrayEquals(trainedScores.get(i), w.predict(List.of(heldOut.get(i))).get(0), 0f);
      }
      TranslateException e =
          assertThrows(TranslateException.class, () -> w.predict(List.of(new float[1000])));
      assertThat(w.describe(e), containsString("expected 84000 samples"));
    }
  }

  @Test
  public void refusesToOverwriteAnExistingDirectory() {
    IOException e = assertThrows(IOException.class, () -> BirdCallTrainer.train(1L, 1, 1, dir));
    assertThat(e.getMessage(), containsString("already exists"));
  }
}

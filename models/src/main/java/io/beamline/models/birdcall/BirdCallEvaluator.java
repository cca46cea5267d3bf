package io.beamline.models.birdcall;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scores a detector on a held-out synthetic set: {@code examplesPerClass} segments of each label
 * from a seed (use one different from the training seed), the predicted label being the highest
 * score.
 */
public final class BirdCallEvaluator {
  private BirdCallEvaluator() {}

  /**
   * A confusion matrix over {@link BirdCallModel#LABELS}: {@code confusion[truth][predicted]}.
   *
   * @param confusion counts, {@code 4 x 4}
   */
  public record Evaluation(int[][] confusion) {
    private int index(String label) {
      int i = BirdCallModel.LABELS.indexOf(label);
      if (i < 0) {
        throw new IllegalArgumentException(
            "label '" + label + "' is not one of " + BirdCallModel.LABELS);
      }
      return i;
    }

    /** Of the segments predicted as {@code label}, the fraction that are; NaN if none. */
    public double precision(String label) {
      int c = index(label);
      int predicted = 0;
      for (int[] row : confusion) {
        predicted += row[c];
      }
      return predicted == 0 ? Double.NaN : (double) confusion[c][c] / predicted;
    }

    /** Of the segments that are {@code label}, the fraction predicted as it; NaN if none. */
    public double recall(String label) {
      int c = index(label);
      int actual = 0;
      for (int v : confusion[c]) {
        actual += v;
      }
      return actual == 0 ? Double.NaN : (double) confusion[c][c] / actual;
    }

    /** Fraction of all segments predicted correctly. */
    public double accuracy() {
      int right = 0;
      int all = 0;
      for (int t = 0; t < confusion.length; t++) {
        for (int p = 0; p < confusion[t].length; p++) {
          all += confusion[t][p];
          right += t == p ? confusion[t][p] : 0;
        }
      }
      return (double) right / all;
    }

    /** One line per label: precision and recall, then accuracy. */
    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      for (String l : BirdCallModel.LABELS) {
        s.append(
            String.format(
                Locale.ROOT, "%-8s precision %.3f recall %.3f%n", l, precision(l), recall(l)));
      }
      return s.append(String.format(Locale.ROOT, "accuracy %.3f", accuracy())).toString();
    }
  }

  /** Evaluates the model directory {@code dir}, loaded through {@link BirdCallModel#spec}. */
  public static Evaluation evaluate(Path dir, long seed, int examplesPerClass)
      throws IOException, TranslateException {
    BirdCallModel.readDescription(dir);
    try (ZooModel<float[], float[]> model = BirdCallModel.spec(dir).load(Device.cpu());
        Predictor<float[], float[]> predictor = model.newPredictor()) {
      return evaluate(predictor, seed, examplesPerClass);
    }
  }

  /**
   * Evaluates {@code predictor} on {@code examplesPerClass} segments per label from {@code seed}.
   */
  public static Evaluation evaluate(
      Predictor<float[], float[]> predictor, long seed, int examplesPerClass)
      throws TranslateException {
    checkArgument(examplesPerClass >= 1, "examplesPerClass must be >= 1, got %s", examplesPerClass);
    List<BirdCallData.Example> data = BirdCallData.examples(seed, examplesPerClass);
    List<float[]> audio = new ArrayList<>();
    for (BirdCallData.Example e : data) {
      audio.add(e.audio());
    }
    List<float[]> scores = predictor.batchPredict(audio);
    int k = BirdCallModel.LABELS.size();
    int[][] confusion = new int[k][k];
    for (int i = 0; i < data.size(); i++) {
      confusion[data.get(i).label()][argmax(scores.get(i))]++;
    }
    return new Evaluation(confusion);
  }

  /** Index of the largest score (the first on ties). */
  public static int argmax(float[] scores) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return best;
  }
}

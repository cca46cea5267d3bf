package io.beamline.pipelines.infer.train;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.UserInputException;
import io.beamline.models.birdcall.BirdCallEvaluator;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.birdcall.BirdCallTrainer;
import io.beamline.models.birdcall.BirdCallTranslator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code beamline infer train [OUTPUT_DIR]}: trains the project's bird-call detector ({@link
 * io.beamline.models.birdcall.BirdCallNet}) on seeded synthetic segments and writes a model
 * directory that {@link BirdCallModel#spec(Path)} loads, then prints its precision and recall per
 * label on a held-out synthetic set drawn from another seed.
 *
 * <p>Deterministic: the seed fixes the data, the initial weights and the batch order, and PyTorch
 * runs {@code --threads} intra-op threads while training (default 1), so the same flags give the
 * same parameters on the same engine build whatever the core count. The directory is written under
 * a temporary sibling name and renamed into place: it is complete or absent. Its {@code
 * birdcall.properties} records the training settings and the held-out scores ({@code eval.*}).
 *
 * <pre>{@code
 * beamline infer train models/birdcall
 * beamline infer train models/birdcall --seed 7 --examples-per-class 120 --epochs 15 \
 *     --held-out-seed 9001 --held-out-per-class 50
 * }</pre>
 */
public final class InferTrainTool implements BeamlineTool<InferTrainTool.InferTrainOptions> {

  /** Options of {@code beamline infer train}. */
  public interface InferTrainOptions extends BeamlineToolOptions {
    @Description("Model directory to create; must not exist yet")
    @Validation.Required
    String getOutputDir();

    void setOutputDir(String value);

    @Description("Seed of the training segments, the initial weights and the batch order")
    @Default.Long(7L)
    long getSeed();

    void setSeed(long value);

    @Description("Synthetic 3 s training segments per label, in [1, 100000]")
    @Default.Integer(100)
    int getExamplesPerClass();

    void setExamplesPerClass(int value);

    @Description("Passes over the training segments, in [1, 1000]")
    @Default.Integer(12)
    int getEpochs();

    void setEpochs(int value);

    @Description("Seed of the held-out evaluation segments; must differ from --seed")
    @Default.Long(9001L)
    long getHeldOutSeed();

    void setHeldOutSeed(long value);

    @Description("Held-out segments per label, in [1, 100000]")
    @Default.Integer(50)
    int getHeldOutPerClass();

    void setHeldOutPerClass(int value);

    @Description(
        "PyTorch intra-op threads while training, in [1, 256]; fixed so that a seed gives the"
            + " same parameters on any machine")
    @Default.Integer(1)
    int getThreads();

    void setThreads(int value);
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "train");
  }

  @Override
  public String summary() {
    return "Train the bird-call detector on synthetic calls; print held-out precision/recall";
  }

  @Override
  public Class<InferTrainOptions> optionsClass() {
    return InferTrainOptions.class;
  }

  @Override
  public String positional() {
    return "outputDir";
  }

  @Override
  public int run(InferTrainOptions o, PrintWriter out, PrintWriter err) throws Exception {
    Path dir = validate(o);
    long t0 = System.nanoTime();
    BirdCallEvaluator.Evaluation eval;
    BirdCallTrainer.Result result;
    try (BirdCallTrainer.Trained t =
        BirdCallTrainer.fit(o.getSeed(), o.getExamplesPerClass(), o.getEpochs(), o.getThreads())) {
      eval = evaluate(t, o.getHeldOutSeed(), o.getHeldOutPerClass());
      result = t.save(dir, scores(o, eval));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    out.printf(
        Locale.ROOT,
        "trained %s: %d parameters, seed %d, %d segments per label, %d epochs, final loss %.4f"
            + " (%.1f s)%n",
        BirdCallModel.VERSION,
        result.parameters(),
        o.getSeed(),
        o.getExamplesPerClass(),
        o.getEpochs(),
        result.finalLoss(),
        seconds);
    out.println("model directory: " + result.directory());
    out.printf(
        Locale.ROOT,
        "held-out set: seed %d, %d segments per label%n",
        o.getHeldOutSeed(),
        o.getHeldOutPerClass());
    out.print(table(eval));
    out.flush();
    return 0;
  }

  /** Checks the flags and the output directory; returns the absolute directory. */
  static Path validate(InferTrainOptions o) {
    range("--examples-per-class", o.getExamplesPerClass(), 1, 100_000);
    range("--epochs", o.getEpochs(), 1, 1000);
    range("--held-out-per-class", o.getHeldOutPerClass(), 1, 100_000);
    range("--threads", o.getThreads(), 1, 256);
    if (o.getHeldOutSeed() == o.getSeed()) {
      throw new UserInputException(
          "--held-out-seed "
              + o.getHeldOutSeed()
              + " equals --seed: the held-out set would repeat the training set; give another"
              + " --held-out-seed");
    }
    Path dir = Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
    if (Files.exists(dir)) {
      throw new UserInputException(
          "model directory " + dir + " already exists; choose a new OUTPUT_DIR or delete it");
    }
    Path parent = dir.getParent();
    if (parent == null) {
      throw new UserInputException("OUTPUT_DIR " + dir + " has no parent; give a subdirectory");
    }
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UserInputException(
          "cannot create " + parent + " (" + e.getClass().getSimpleName() + "); check OUTPUT_DIR");
    }
    if (!Files.isWritable(parent)) {
      throw new UserInputException(
          parent + " is not writable; choose an OUTPUT_DIR in a writable directory");
    }
    return dir;
  }

  private static void range(String flag, int v, int min, int max) {
    if (v < min || v > max) {
      throw new UserInputException(
          flag + " " + v + " is out of range; give a value in [" + min + ", " + max + "]");
    }
  }

  private static BirdCallEvaluator.Evaluation evaluate(
      BirdCallTrainer.Trained t, long seed, int perClass) throws TranslateException {
    try (Predictor<float[], float[]> p = t.model().newPredictor(new BirdCallTranslator())) {
      return BirdCallEvaluator.evaluate(p, seed, perClass);
    }
  }

  /** The held-out scores, recorded in the model directory's description. */
  static Map<String, String> scores(InferTrainOptions o, BirdCallEvaluator.Evaluation eval) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("eval.seed", Long.toString(o.getHeldOutSeed()));
    m.put("eval.examples_per_class", Integer.toString(o.getHeldOutPerClass()));
    m.put("eval.accuracy", fmt(eval.accuracy()));
    for (String label : BirdCallModel.LABELS) {
      m.put("eval.precision." + label, fmt(eval.precision(label)));
      m.put("eval.recall." + label, fmt(eval.recall(label)));
    }
    return m;
  }

  /** Per-label precision and recall, then accuracy, one line each. */
  static String table(BirdCallEvaluator.Evaluation eval) {
    StringBuilder s =
        new StringBuilder(
            String.format(Locale.ROOT, "%-8s %9s %7s%n", "label", "precision", "recall"));
    for (String label : BirdCallModel.LABELS) {
      s.append(
          String.format(
              Locale.ROOT,
              "%-8s %9s %7s%n",
              label,
              fmt(eval.precision(label)),
              fmt(eval.recall(label))));
    }
    return s.append(String.format(Locale.ROOT, "accuracy %s%n", fmt(eval.accuracy()))).toString();
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}

package io.beamline.models.birdcall;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.beamline.io.files.AtomicFiles;
import io.beamline.models.inference.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * Trains {@link BirdCallNet} on seeded synthetic segments ({@link
 * io.beamline.transforms.audio.BirdCallSynth}) on the CPU and saves a model directory.
 *
 * <p>Training: {@code examplesPerClass} segments of each of {@link BirdCallModel#LABELS}, Adam at a
 * fixed learning rate of {@value #LEARNING_RATE}, mini-batches of {@value #BATCH}, softmax
 * cross-entropy, the example order reshuffled each epoch from the seed. The seed also seeds the
 * engine's random initialisation ({@code Engine.setRandomSeed}, a JVM-wide setting), so the same
 * arguments give the same parameters on the same machine and engine build.
 *
 * <pre>{@code
 * BirdCallTrainer.Result r = BirdCallTrainer.train(7L, 40, 12, Path.of("models/birdcall"));
 * }</pre>
 */
public final class BirdCallTrainer {
  /** Adam learning rate. */
  public static final float LEARNING_RATE = 0.003f;

  /** Mini-batch size. */
  public static final int BATCH = 16;

  private BirdCallTrainer() {}

  /**
   * What a training run produced.
   *
   * @param directory the model directory
   * @param finalLoss mean training loss over the last epoch
   * @param parameters number of trainable values
   * @param featureMillis wall time of data synthesis and feature extraction
   * @param millis wall time of feature extraction plus training
   */
  public record Result(
      Path directory, double finalLoss, long parameters, long featureMillis, long millis) {}

  /** A trained model still in memory; close it. */
  public static final class Trained implements AutoCloseable {
    private final Model model;
    private final long seed;
    private final int examplesPerClass;
    private final int epochs;
    private final double finalLoss;
    private final long featureMillis;
    private final long millis;
    private final int threads;

    private Trained(
        Model model,
        long seed,
        int examplesPerClass,
        int epochs,
        int threads,
        double finalLoss,
        long featureMillis,
        long millis) {
      this.threads = threads;
      this.featureMillis = featureMillis;
      this.model = model;
      this.seed = seed;
      this.examplesPerClass = examplesPerClass;
      this.epochs = epochs;
      this.finalLoss = finalLoss;
      this.millis = millis;
    }

    @Override
    public void close() {
      model.close();
    }

    /** The model (owned by this object). */
    public Model model() {
      return model;
    }

    /** Mean training loss over the last epoch. */
    public double finalLoss() {
      return finalLoss;
    }

    /** Number of trainable values. */
    public long parameters() {
      long n = 0;
      for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
        n += p.getValue().getArray().size();
      }
      return n;
    }

    /**
     * Saves params and {@value BirdCallModel#PROPERTIES} into a new directory {@code dir}: written
     * under a temporary sibling name, then renamed, so {@code dir} is complete or absent.
     *
     * @throws IOException if {@code dir} already exists (naming it) or writing fails
     */
    public Result save(Path dir) throws IOException {
      return save(dir, Map.of());
    }

    /**
     * Like {@link #save(Path)}, with {@code extra} entries added to {@value
     * BirdCallModel#PROPERTIES} (e.g. the held-out scores); their keys must not clash with the
     * description's own.
     */
    public Result save(Path dir, Map<String, String> extra) throws IOException {
      Properties description = BirdCallModel.describe(seed, examplesPerClass, epochs, finalLoss);
      description.setProperty("train.threads", Integer.toString(threads));
      for (Map.Entry<String, String> e : extra.entrySet()) {
        checkArgument(
            !description.containsKey(e.getKey()),
            "save(dir, extra): key %s is part of the description",
            e.getKey());
        description.setProperty(e.getKey(), e.getValue());
      }
      Path target = dir.toAbsolutePath().normalize();
      if (Files.exists(target)) {
        throw new IOException(
            "model directory " + target + " already exists; choose a new one or delete it");
      }
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
      try {
        // A temporary directory is private (rwx------); the model is for every reader of parent.
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        model.save(tmp, BirdCallModel.NAME);
        AtomicFiles.writeString(
            tmp.resolve(BirdCallModel.PROPERTIES), BirdCallModel.toText(description));
        if (!AtomicFiles.publishDirectory(tmp, target)) {
          throw new IOException(
              "model directory " + target + " appeared while training; choose a new one");
        }
      } catch (IOException | RuntimeException e) {
        AtomicFiles.deleteTree(tmp);
        throw e;
      }
      return new Result(target, finalLoss, parameters(), featureMillis, millis);
    }
  }

  /**
   * Trains and saves into {@code outputDir} (which must not exist yet).
   *
   * @param seed data, initialisation and shuffling seed
   * @param examplesPerClass segments per label, {@code [1, 100000]}
   * @param epochs passes over the data, {@code [1, 1000]}
   * @param outputDir the model directory to create
   */
  public static Result train(long seed, int examplesPerClass, int epochs, Path outputDir)
      throws IOException {
    return train(seed, examplesPerClass, epochs, 0, outputDir);
  }

  /**
   * Like {@link #train(long, int, int, Path)} with {@code threads} as in {@link #fit(long, int,
   * int, int)}.
   */
  public static Result train(
      long seed, int examplesPerClass, int epochs, int threads, Path outputDir) throws IOException {
    if (Files.exists(outputDir)) {
      throw new IOException(
          "model directory "
              + outputDir.toAbsolutePath()
              + " already exists; choose a new one or delete it");
    }
    try (Trained t = fit(seed, examplesPerClass, epochs, threads)) {
      return t.save(outputDir);
    }
  }

  /**
   * Trains in memory with PyTorch's current intra-op thread count; see {@link #train(long, int,
   * int, Path)} for the arguments.
   */
  public static Trained fit(long seed, int examplesPerClass, int epochs) {
    return fit(seed, examplesPerClass, epochs, 0);
  }

  /**
   * Trains in memory with {@code threads} PyTorch intra-op threads (restored afterwards), so that
   * the floating-point reductions, and with them the parameters, do not depend on the machine's
   * core count; 0 keeps the current setting.
   *
   * @param threads {@code [0, 256]}
   */
  public static Trained fit(long seed, int examplesPerClass, int epochs, int threads) {
    checkArgument(threads >= 0 && threads <= 256, "threads must be in [0, 256], got %s", threads);
    if (threads == 0) {
      return fitWithCurrentThreads(seed, examplesPerClass, epochs);
    }
    // Touch the engine first: its native library loads (and applies the system properties) once.
    Engine.getEngine(ModelSpec.ENGINE);
    int before = JniUtils.getNumThreads();
    JniUtils.setNumThreads(threads);
    try {
      return fitWithCurrentThreads(seed, examplesPerClass, epochs);
    } finally {
      JniUtils.setNumThreads(before);
    }
  }

  private static Trained fitWithCurrentThreads(long seed, int examplesPerClass, int epochs) {
    checkArgument(
        examplesPerClass >= 1 && examplesPerClass <= 100_000,
        "examplesPerClass must be in [1, 100000], got %s",
        examplesPerClass);
    checkArgument(epochs >= 1 && epochs <= 1000, "epochs must be in [1, 1000], got %s", epochs);
    long t0 = System.nanoTime();
    List<BirdCallData.Example> data = BirdCallData.examples(seed, examplesPerClass);
    int n = data.size();
    int dim = BirdCallFeatures.BANDS * BirdCallFeatures.FRAMES;
    float[][] features = new float[n][];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      features[i] = BirdCallFeatures.compute(data.get(i).audio());
      labels[i] = data.get(i).label();
    }
    long featureMillis = (System.nanoTime() - t0) / 1_000_000;

    Engine.getEngine(ModelSpec.ENGINE).setRandomSeed((int) (seed ^ (seed >>> 32)));
    Model model = Model.newInstance(BirdCallModel.NAME, Device.cpu(), ModelSpec.ENGINE);
    model.setBlock(BirdCallNet.build());
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
            .optOptimizer(
                Optimizer.adam().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build())
            .optDevices(new Device[] {Device.cpu()});
    double epochLoss = Double.NaN;
    try (Trainer trainer = new Trainer(model, config)) {
      trainer.initialize(new Shape(1, 1, BirdCallFeatures.BANDS, BirdCallFeatures.FRAMES));
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int epoch = 0; epoch < epochs; epoch++) {
        shuffle(order, new SplittableRandom(seed * 31 + epoch));
        double lossSum = 0;
        int batches = 0;
        for (int start = 0; start < n; start += BATCH) {
          int b = Math.min(BATCH, n - start);
          float[] x = new float[b * dim];
          float[] y = new float[b];
          for (int k = 0; k < b; k++) {
            System.arraycopy(features[order[start + k]], 0, x, k * dim, dim);
            y[k] = labels[order[start + k]];
          }
          // Per-batch arrays live in a sub-manager so they are freed with it.
          try (NDManager m = trainer.getManager().newSubManager();
              GradientCollector gc = trainer.newGradientCollector()) {
            NDArray xs =
                m.create(x, new Shape(b, 1, BirdCallFeatures.BANDS, BirdCallFeatures.FRAMES));
            NDArray ys = m.create(y, new Shape(b));
            NDList preds = trainer.forward(new NDList(xs));
            NDArray loss = trainer.getLoss().evaluate(new NDList(ys), preds);
            gc.backward(loss);
            lossSum += loss.getFloat();
            batches++;
          }
          trainer.step();
        }
        epochLoss = lossSum / batches;
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    Engine.getEngine(ModelSpec.ENGINE);
    return new Trained(
        model,
        seed,
        examplesPerClass,
        epochs,
        JniUtils.getNumThreads(),
        epochLoss,
        featureMillis,
        (System.nanoTime() - t0) / 1_000_000);
  }

  private static void shuffle(int[] a, SplittableRandom r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

package io.beamline.pipelines.infer.run;

import ai.djl.Device;
import ai.djl.repository.zoo.ZooModel;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.Runs;
import io.beamline.models.birdcall.BirdCallBatchTranslator;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.birdcall.EnergyDetector;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Properties;

/**
 * What scores the chunks: the bird-call model of a directory on its worker slots, or the model-free
 * {@link EnergyDetector} ({@code --stub-runner}), with the names the outputs carry.
 *
 * @param stub whether the energy detector runs instead of a model
 * @param modelDir the model directory (absolute), {@code bundled} for the bundled model (each
 *     worker JVM extracts it where it runs: executors need not share the driver's disk), or empty
 *     for the stub
 * @param model the model name written to the outputs
 * @param version the model version written to the outputs
 * @param labels the score labels, index 0 being noise
 * @param workers the worker slots of the model (unused by the stub, which runs as {@code cpu-0})
 */
record DetectorConfig(
    boolean stub,
    String modelDir,
    String model,
    String version,
    List<String> labels,
    Workers workers)
    implements Serializable {

  DetectorConfig {
    labels = List.copyOf(labels);
    if (labels.size() < 2) {
      throw new IllegalArgumentException(
          "labels must hold noise and at least one label, got " + labels);
    }
  }

  /** The detector {@code o} picks, its name and version read from the model's description. */
  static DetectorConfig of(InferRunOptions o) {
    if (o.getStubRunner()) {
      // The stub runs on one CPU slot, cpu-0, whatever the worker flags say.
      return new DetectorConfig(
          true,
          "",
          EnergyDetector.MODEL,
          EnergyDetector.VERSION,
          EnergyDetector.LABELS,
          new Workers(0, 1, 0));
    }
    Path dir = modelDir(o);
    Properties props;
    try {
      props = BirdCallModel.readDescription(dir);
    } catch (IOException e) {
      throw new UserInputException("cannot use --model " + o.getModel() + ": " + e.getMessage());
    }
    return new DetectorConfig(
        false,
        InferRunOptions.BUNDLED.equals(o.getModel()) ? InferRunOptions.BUNDLED : dir.toString(),
        props.getProperty("model.name", BirdCallModel.NAME),
        props.getProperty("model.version", BirdCallModel.VERSION),
        BirdCallModel.LABELS,
        Workers.of(o));
  }

  /**
   * The model directory on this JVM: the bundled model extracted under this JVM's temporary
   * directory (once per JVM and build), or {@link #modelDir}.
   */
  Path modelPath() throws IOException {
    return path(modelDir);
  }

  /** The directory {@code --model} value {@code model} names in this JVM (bundled: extracted). */
  private static Path path(String model) throws IOException {
    return InferRunOptions.BUNDLED.equals(model)
        ? BirdCallModel.bundled()
        : Paths.get(model).toAbsolutePath().normalize();
  }

  /** The model directory, described and loadable; a one-line error otherwise. */
  static Properties checkModel(InferRunOptions o) {
    if (o.getModel() == null || o.getModel().isBlank()) {
      throw new UserInputException(
          "--model is empty: give a bird-call model directory (beamline infer train writes"
              + " one), 'bundled', or --stub-runner to run the energy detector without a model");
    }
    Path dir = modelDir(o);
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(
          "model directory not found: " + o.getModel() + " (--model); give a model directory");
    }
    Properties p;
    try {
      p = BirdCallModel.readDescription(dir);
    } catch (IOException e) {
      throw new UserInputException(
          "cannot use --model " + o.getModel() + ": " + oneLine(e.getMessage()), e);
    }
    boolean initialized;
    try (ZooModel<float[][], float[]> m = BirdCallBatchTranslator.spec(dir).load(Device.cpu())) {
      initialized = m.getBlock().isInitialized();
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(
          "cannot load --model " + o.getModel() + ": " + Runs.oneLine(e), e);
    }
    if (!initialized) {
      // DJL loads a params file it cannot parse as an uninitialised block.
      throw new UserInputException(
          "cannot load --model "
              + o.getModel()
              + ": its "
              + BirdCallModel.NAME
              + "-NNNN.params file is missing or corrupt; retrain or copy the model again");
    }
    return p;
  }

  /** The model directory {@code --model} names: the bundled one extracted, or the given path. */
  static Path modelDir(InferRunOptions o) {
    try {
      return path(o.getModel());
    } catch (IOException e) {
      // Only extracting the bundled model does I/O here; a given path is not touched.
      throw new UserInputException(
          "cannot extract the bundled model: "
              + oneLine(e.getMessage())
              + "; give --model DIR (beamline infer train writes one)",
          e);
    }
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replaceAll("\\s+", " ").trim();
  }
}

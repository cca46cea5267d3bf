package io.beamline.models.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.nn.BlockFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Objects;

/**
 * What to load and how to talk to it: a serialisable description of a DJL model, resolved on the
 * worker through {@link Criteria}.
 *
 * <p>Two kinds of model path are accepted:
 *
 * <ul>
 *   <li>a TorchScript file ({@code model.pt}): the graph is in the file, no block is needed;
 *   <li>a DJL model directory holding {@code <name>-NNNN.params} (written by {@code Model.save}):
 *       the architecture comes from a {@link BlockFactory} given with {@link
 *       #withBlockFactory(BlockFactory)}, and {@link #withModelName(String)} names the params
 *       prefix (default: the directory name).
 * </ul>
 *
 * <p>Pre- and post-processing are a DJL {@link ai.djl.translate.Translator} made on the worker by a
 * {@link TranslatorSupplier}. The engine is always PyTorch.
 *
 * <pre>{@code
 * ModelSpec<float[], float[]> spec =
 *     ModelSpec.of("models/birdcall", float[].class, float[].class, BirdCallTranslator::new)
 *         .withBlockFactory(new BirdCallNet());
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class ModelSpec<I, O> implements Serializable {
  /** The DJL engine every spec loads with. */
  public static final String ENGINE = "PyTorch";

  private final String modelPath;
  private final String modelName;
  private final Class<I> inputClass;
  private final Class<O> outputClass;
  private final TranslatorSupplier<I, O> translator;
  private final BlockFactory blockFactory;

  private ModelSpec(
      String modelPath,
      String modelName,
      Class<I> inputClass,
      Class<O> outputClass,
      TranslatorSupplier<I, O> translator,
      BlockFactory blockFactory) {
    this.modelPath = modelPath;
    this.modelName = modelName;
    this.inputClass = inputClass;
    this.outputClass = outputClass;
    this.translator = translator;
    this.blockFactory = blockFactory;
  }

  /**
   * A spec for the model at {@code modelPath} (a {@code .pt} file or a DJL model directory).
   *
   * @param modelPath local path; must be non-empty (existence is checked when loading, on the
   *     worker)
   * @param inputClass the input type
   * @param outputClass the output type
   * @param translator makes the translator on the worker
   */
  public static <I, O> ModelSpec<I, O> of(
      String modelPath,
      Class<I> inputClass,
      Class<O> outputClass,
      TranslatorSupplier<I, O> translator) {
    if (modelPath == null || modelPath.isBlank()) {
      throw new IllegalArgumentException(
          "modelPath: must be a TorchScript .pt file or a DJL model directory, got '"
              + modelPath
              + "'");
    }
    return new ModelSpec<>(
        modelPath,
        null,
        Objects.requireNonNull(inputClass, "inputClass"),
        Objects.requireNonNull(outputClass, "outputClass"),
        Objects.requireNonNull(translator, "translator"),
        null);
  }

  /** The params prefix inside a model directory; default the directory's name. */
  public ModelSpec<I, O> withModelName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "withModelName(name): must be non-empty, got '" + name + "'");
    }
    return new ModelSpec<>(modelPath, name, inputClass, outputClass, translator, blockFactory);
  }

  /**
   * The architecture for a DJL params directory; default none (TorchScript). The factory is called
   * on the worker with a null {@code Model}, the model path and no arguments.
   */
  public ModelSpec<I, O> withBlockFactory(BlockFactory factory) {
    return new ModelSpec<>(
        modelPath,
        modelName,
        inputClass,
        outputClass,
        translator,
        Objects.requireNonNull(factory, "factory"));
  }

  /** The model path as given. */
  public String modelPath() {
    return modelPath;
  }

  /** The translator factory. */
  public TranslatorSupplier<I, O> translator() {
    return translator;
  }

  /** A key naming what {@link #load(Device)} would load: path, name, block, engine and device. */
  String cacheKey(Device device) {
    return Paths.get(modelPath).toAbsolutePath().normalize()
        + "|"
        + modelName
        + "|"
        + (blockFactory == null ? "torchscript" : blockFactory.getClass().getName())
        + "|"
        + ENGINE
        + "|"
        + device;
  }

  /**
   * The DJL criteria for {@code device}: {@code optModelPath}, {@code optEngine("PyTorch")}, {@code
   * optDevice}, the translator, and for a params directory {@code optBlock} and {@code
   * optModelName}.
   *
   * @throws IOException if the block factory fails
   */
  public Criteria<I, O> criteria(Device device) throws IOException {
    Path path = Paths.get(modelPath);
    Criteria.Builder<I, O> b =
        Criteria.builder()
            .setTypes(inputClass, outputClass)
            .optModelPath(path)
            .optEngine(ENGINE)
            .optDevice(device)
            .optTranslator(translator.get());
    if (blockFactory != null) {
      b = b.optBlock(blockFactory.newBlock(null, path, Collections.emptyMap()));
    }
    if (modelName != null) {
      b = b.optModelName(modelName);
    }
    return b.build();
  }

  /**
   * Loads the model on {@code device} (uncached; {@link InferenceWorker} goes through {@link
   * ModelCache}).
   *
   * @throws IOException with a one-line message naming the path and the fix when it cannot load
   */
  public ZooModel<I, O> load(Device device) throws IOException {
    Path path = Paths.get(modelPath);
    if (!Files.exists(path)) {
      throw new IOException(
          "model path "
              + path.toAbsolutePath()
              + " does not exist; give a .pt file or a DJL model directory");
    }
    if (Files.isDirectory(path) && blockFactory == null) {
      boolean hasPt;
      try (var files = Files.list(path)) {
        hasPt = files.anyMatch(f -> f.getFileName().toString().endsWith(".pt"));
      }
      if (!hasPt) {
        throw new IOException(
            "model directory "
                + path.toAbsolutePath()
                + " has no .pt file; for a DJL params directory set withBlockFactory(...)");
      }
    }
    try {
      return criteria(device).loadModel();
    } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
      throw new IOException(
          "cannot load model "
              + path.toAbsolutePath()
              + " on "
              + device
              + ": "
              + oneLine(e)
              + "; check the path, the model name and the block factory",
          e);
    }
  }

  static String oneLine(Throwable e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    m = m.replaceAll("\\s+", " ").trim();
    return m.length() <= 300 ? m : m.substring(0, 297) + "...";
  }

  @Override
  public String toString() {
    return "ModelSpec{" + modelPath + (modelName == null ? "" : ", name=" + modelName) + "}";
  }
}

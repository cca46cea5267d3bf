package io.beamline.models.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.beamline.models.inference.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A classifier of BirdNET's cost, for throughput only: a 3 s segment as {@code (1, 96, 448)}
 * spectrogram features to {@value #CLASSES} logits (BirdNET's class count), about 0.85 GFLOPs per
 * segment ({@link #gflops()}), weights random from a seed. Layers: 3x3 convolution to 32 channels
 * with stride 2, 3x3 to 64, 2x2 max-pool, 3x3 to 128, 2x2 max-pool, 1x1 to 256 (ReLU after each),
 * global average pool, linear.
 */
final class BirdNetLike implements BlockFactory {
  private static final long serialVersionUID = 1L;

  static final String NAME = "birdnet-like";
  static final int BANDS = 96;
  static final int FRAMES = 448;
  static final int CLASSES = 6522;

  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    SequentialBlock net = new SequentialBlock();
    net.add(conv(32, 3, 2)).add(Activation.reluBlock());
    net.add(conv(64, 3, 1)).add(Activation.reluBlock());
    net.add(Pool.maxPool2dBlock(new Shape(2, 2)));
    net.add(conv(128, 3, 1)).add(Activation.reluBlock());
    net.add(Pool.maxPool2dBlock(new Shape(2, 2)));
    net.add(conv(256, 1, 1)).add(Activation.reluBlock());
    net.add(Pool.globalAvgPool2dBlock());
    net.add(Linear.builder().setUnits(CLASSES).build());
    return net;
  }

  private static Conv2d conv(int filters, int k, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(k, k))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(k / 2, k / 2))
        .setFilters(filters)
        .build();
  }

  /** Floating-point operations per segment (2 per multiply-add), from the layer shapes above. */
  static double gflops() {
    double h = BANDS / 2.0;
    double w = FRAMES / 2.0;
    double macs = h * w * 32 * 1 * 9; // stride-2 convolution
    macs += h * w * 64 * 32 * 9;
    h /= 2;
    w /= 2;
    macs += h * w * 128 * 64 * 9;
    h /= 2;
    w /= 2;
    macs += h * w * 256 * 128;
    macs += 256.0 * CLASSES;
    return 2 * macs / 1e9;
  }

  /**
   * Saves the model with weights drawn from {@code seed} as {@code dir/birdnet-like-0000.params}.
   */
  static Path save(Path dir, long seed) throws IOException {
    Engine.getEngine(ModelSpec.ENGINE).setRandomSeed((int) seed);
    try (Model model = Model.newInstance(NAME, ModelSpec.ENGINE)) {
      Block block = new BirdNetLike().newBlock(null, dir, Map.of());
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, BANDS, FRAMES));
      model.save(dir, NAME);
    }
    return dir;
  }

  /** The spec of the model saved in {@code dir}: a batch of feature rows in, logits out. */
  static ModelSpec<float[][], float[]> spec(Path dir) {
    return ModelSpec.of(dir.toString(), float[][].class, float[].class, Features::new)
        .withModelName(NAME)
        .withBlockFactory(new BirdNetLike());
  }

  /**
   * {@code float[n][BANDS * FRAMES]} features as one {@code (n, 1, BANDS, FRAMES)} input to {@code
   * n * CLASSES} logits, row-major: the batch is made by the caller, as in {@code infer run}.
   */
  static final class Features implements Translator<float[][], float[]> {
    @Override
    public NDList processInput(TranslatorContext ctx, float[][] batch) {
      int dim = BANDS * FRAMES;
      float[] all = new float[batch.length * dim];
      for (int i = 0; i < batch.length; i++) {
        System.arraycopy(batch[i], 0, all, i * dim, dim);
      }
      return new NDList(ctx.getNDManager().create(all, new Shape(batch.length, 1, BANDS, FRAMES)));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      return list.singletonOrThrow().toFloatArray();
    }

    @Override
    public Batchifier getBatchifier() {
      return null;
    }
  }
}

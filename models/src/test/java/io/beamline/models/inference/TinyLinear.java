package io.beamline.models.inference;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.core.Linear;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A 3-in, 2-out linear model with known weights, saved with DJL, so outputs are exactly
 * predictable: {@code y0 = x0 + 2 x1 + 3 x2 + 0.5}, {@code y1 = -x0 + 0.5 x2 - 1}.
 */
final class TinyLinear implements BlockFactory {
  static final String NAME = "tiny";
  static final float[] WEIGHT = {1, 2, 3, -1, 0, 0.5f};
  static final float[] BIAS = {0.5f, -1};

  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    return Linear.builder().setUnits(2).build();
  }

  /** Saves the model as {@code dir/tiny-0000.params}. */
  static Path save(Path dir) throws IOException {
    try (Model model = Model.newInstance(NAME, ModelSpec.ENGINE)) {
      Block block = new TinyLinear().newBlock(null, dir, Map.of());
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3));
      block.getParameters().get("weight").getArray().set(WEIGHT);
      block.getParameters().get("bias").getArray().set(BIAS);
      model.save(dir, NAME);
    }
    return dir;
  }

  static float[] expected(float[] x) {
    return new float[] {
      x[0] * WEIGHT[0] + x[1] * WEIGHT[1] + x[2] * WEIGHT[2] + BIAS[0],
      x[0] * WEIGHT[3] + x[1] * WEIGHT[4] + x[2] * WEIGHT[5] + BIAS[1]
    };
  }

  static ModelSpec<float[], float[]> spec(Path dir) {
    return ModelSpec.of(dir.toString(), float[].class, float[].class, VectorTranslator::new)
        .withModelName(NAME)
        .withBlockFactory(new TinyLinear());
  }

  /** {@code float[3]} in, {@code float[2]} out; the default stack batchifier batches. */
  static class VectorTranslator implements Translator<float[], float[]> {
    @Override
    public NDList processInput(TranslatorContext ctx, float[] input) {
      return new NDList(ctx.getNDManager().create(input));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      return list.singletonOrThrow().toFloatArray();
    }
  }

  /** Rejects inputs whose first value is negative, as a real pre-processor rejects bad audio. */
  static final class RejectNegative extends VectorTranslator {
    @Override
    public NDList processInput(TranslatorContext ctx, float[] input) {
      if (input[0] < 0) {
        throw new IllegalArgumentException("first value " + input[0] + " is negative");
      }
      return super.processInput(ctx, input);
    }
  }
}

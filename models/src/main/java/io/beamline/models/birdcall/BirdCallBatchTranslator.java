package io.beamline.models.birdcall;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.beamline.models.inference.ModelSpec;
import java.nio.file.Path;

/**
 * The bird-call detector over a whole batch of chunks in one input: {@code float[n][84000]} (3 s at
 * 28 kHz each) to {@code n * 4} softmax scores, row-major in {@link BirdCallModel#LABELS} order.
 *
 * <p>{@code infer run} forms its batches itself, deterministically (manifest order, {@code
 * --batch-size} chunks), and hands each to its {@code InferenceWorker} as one input, so the model
 * sees the same batches on every runner and scores are bit-identical. Features are {@link
 * BirdCallFeatures}, the same as {@code BirdCallTranslator}'s; no batchifier (the input is already
 * a batch).
 */
public final class BirdCallBatchTranslator implements Translator<float[][], float[]> {

  /** The spec of the model directory {@code dir} with this translator. */
  public static ModelSpec<float[][], float[]> spec(Path dir) {
    return ModelSpec.of(
            dir.toString(), float[][].class, float[].class, BirdCallBatchTranslator::new)
        .withModelName(BirdCallModel.NAME)
        .withBlockFactory(new BirdCallNet());
  }

  @Override
  public NDList processInput(TranslatorContext ctx, float[][] batch) {
    int dim = BirdCallFeatures.BANDS * BirdCallFeatures.FRAMES;
    float[] all = new float[batch.length * dim];
    for (int i = 0; i < batch.length; i++) {
      System.arraycopy(BirdCallFeatures.compute(batch[i]), 0, all, i * dim, dim);
    }
    return new NDList(
        ctx.getNDManager()
            .create(
                all, new Shape(batch.length, 1, BirdCallFeatures.BANDS, BirdCallFeatures.FRAMES)));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    NDArray logits = list.singletonOrThrow();
    return logits.softmax(-1).toFloatArray();
  }

  @Override
  public Batchifier getBatchifier() {
    return null;
  }
}

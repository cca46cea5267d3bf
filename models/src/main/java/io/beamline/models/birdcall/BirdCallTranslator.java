package io.beamline.models.birdcall;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/**
 * From one 3 s, 28 kHz segment ({@code float[84000]}) to label scores: {@link BirdCallFeatures}
 * before the net, softmax after it. Scores are probabilities over {@link BirdCallModel#LABELS} in
 * that order and sum to 1. A segment of another length is rejected with an {@link
 * IllegalArgumentException} naming the expected length.
 */
public final class BirdCallTranslator implements Translator<float[], float[]> {
  @Override
  public NDList processInput(TranslatorContext ctx, float[] audio) {
    float[] features = BirdCallFeatures.compute(audio);
    return new NDList(
        ctx.getNDManager()
            .create(features, new Shape(1, BirdCallFeatures.BANDS, BirdCallFeatures.FRAMES)));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    NDArray logits = list.singletonOrThrow();
    return logits.softmax(-1).toFloatArray();
  }
}

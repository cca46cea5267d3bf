package io.beamline.models.birdcall;

import io.beamline.transforms.audio.BirdCallSynth;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded labelled segments for training and evaluation. */
final class BirdCallData {
  /** One segment: its audio and the index of its label in {@link BirdCallModel#LABELS}. */
  record Example(float[] audio, int label) {}

  private BirdCallData() {}

  /**
   * {@code perClass} segments of each label, interleaved by label; example {@code j} of label
   * {@code c} uses a seed drawn from {@code seed}, so the set depends on nothing else.
   */
  static List<Example> examples(long seed, int perClass) {
    SplittableRandom seeds = new SplittableRandom(seed);
    List<Example> out = new ArrayList<>(perClass * BirdCallModel.LABELS.size());
    for (int j = 0; j < perClass; j++) {
      for (int c = 0; c < BirdCallModel.LABELS.size(); c++) {
        BirdCallSynth.Clip clip =
            BirdCallSynth.segment(
                BirdCallModel.LABELS.get(c), 3.0, BirdCallFeatures.SAMPLE_RATE, seeds.nextLong());
        out.add(new Example(clip.samples(), c));
      }
    }
    return out;
  }
}

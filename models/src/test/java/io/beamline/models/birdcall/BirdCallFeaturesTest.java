package io.beamline.models.birdcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.transforms.audio.BirdCallSynth;
import org.junit.jupiter.api.Test;

class BirdCallFeaturesTest {
  @Test
  void shapeAndNormalisation() {
    float[] f = BirdCallFeatures.compute(BirdCallSynth.segment("trill", 3.0, 28_000, 5L).samples());
    assertEquals(48 * 96, f.length);
    double sum = 0;
    double sq = 0;
    for (float v : f) {
      sum += v;
      sq += v * v;
    }
    assertEquals(0, sum / f.length, 1e-4, "per-band means are removed");
    assertEquals(1, Math.sqrt(sq / f.length), 1e-4, "unit overall RMS");
    for (int b = 0; b < 48; b++) {
      double bandSum = 0;
      for (int t = 0; t < 96; t++) {
        bandSum += f[b * 96 + t];
      }
      assertEquals(0, bandSum / 96, 1e-4);
    }
  }

  @Test
  void silenceStaysFinite() {
    for (float v : BirdCallFeatures.compute(new float[84_000])) {
      assertTrue(Float.isFinite(v));
    }
  }

  @Test
  void wrongLengthNamesTheFix() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BirdCallFeatures.compute(new float[10]));
    assertTrue(e.getMessage().contains("expected 84000 samples"), e.getMessage());
  }
}

package io.beamline.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.transforms.audio.BirdCallSynth.Clip;
import io.beamline.transforms.audio.BirdCallSynth.Event;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BirdCallSynthTest {
  static final int RATE = 28_000;

  @Test
  void sameSeedSameClipOtherSeedDiffers() {
    Clip a = BirdCallSynth.segment("trill", 3.0, RATE, 42);
    Clip b = BirdCallSynth.segment("trill", 3.0, RATE, 42);
    assertArrayEquals(a.samples(), b.samples());
    assertEquals(a.events(), b.events());
    assertEquals(a.snrDb(), b.snrDb());
    assertFalse(
        Arrays.equals(a.samples(), BirdCallSynth.segment("trill", 3.0, RATE, 43).samples()));
  }

  @Test
  void segmentHasOneEventOfItsLabelOrNone() {
    for (String label : BirdCallSynth.CALL_LABELS) {
      Clip c = BirdCallSynth.segment(label, 3.0, RATE, 7);
      assertEquals(3 * RATE, c.samples().length);
      assertEquals(1, c.events().size());
      assertEquals(label, c.events().get(0).label());
      assertTrue(c.snrDb() >= 3 && c.snrDb() <= 20, "drawn SNR " + c.snrDb());
    }
    Clip noise = BirdCallSynth.segment(BirdCallSynth.NOISE, 3.0, RATE, 7);
    assertTrue(noise.events().isEmpty());
    assertTrue(Double.isNaN(noise.snrDb()));
    for (float v : noise.calls()) {
      assertEquals(0f, v);
    }
    assertTrue(BirdCallSynth.segment(null, 3.0, RATE, 7).events().isEmpty());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void eventsLieInsideTheClipWithPlausibleParameters(long seed) {
    List<String> labels = List.of("chirp", "trill", "whistle", "chirp", "whistle");
    Clip c = BirdCallSynth.generate(10.0, RATE, seed, 10, labels);
    assertEquals(labels.size(), c.events().size());
    double previousEnd = 0;
    for (int i = 0; i < labels.size(); i++) {
      Event e = c.events().get(i);
      assertEquals(labels.get(i), e.label());
      assertTrue(e.startS() >= previousEnd && e.endS() <= 10.0, e.toString());
      double dur = e.endS() - e.startS();
      assertTrue(dur >= 0.05 - 1e-9 && dur <= 0.8 + 1e-9, e.toString());
      assertTrue(
          e.lowHz() >= 1000 * 0.97 && e.highHz() <= 9000 && e.lowHz() < e.highHz(), e.toString());
      previousEnd = e.endS();
    }
    // The calls signal is silent outside the events.
    boolean[] inside = new boolean[c.calls().length];
    for (Event e : c.events()) {
      for (int k = (int) Math.round(e.startS() * RATE); k < Math.round(e.endS() * RATE); k++) {
        inside[k] = true;
      }
    }
    for (int k = 0; k < inside.length; k++) {
      if (!inside[k]) {
        assertEquals(0f, c.calls()[k], "sample " + k);
      }
    }
  }

  @ParameterizedTest(name = "{0} dB")
  @ValueSource(doubles = {-5, 0, 6, 12, 20, 30})
  void snrIsHonoured(double snrDb) {
    Clip c = BirdCallSynth.generate(6.0, RATE, 11, snrDb, List.of("chirp", "trill", "whistle"));
    double noise = meanSquare(c.background(), 0, c.background().length);
    for (Event e : c.events()) {
      int from = (int) Math.round(e.startS() * RATE);
      int to = (int) Math.round(e.endS() * RATE);
      double measured = 10 * Math.log10(meanSquare(c.calls(), from, to) / noise);
      assertEquals(snrDb, measured, 0.05, e.toString());
    }
    float peak = 0;
    for (int k = 0; k < c.samples().length; k++) {
      assertEquals(c.calls()[k] + c.background()[k], c.samples()[k], 1e-6);
      peak = Math.max(peak, Math.abs(c.samples()[k]));
    }
    assertTrue(peak <= 0.99f + 1e-6);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 14, 15, 92, 65})
  void whistleEnergyConcentratesAtItsHarmonics(long seed) {
    Clip c = BirdCallSynth.segment("whistle", 3.0, RATE, seed, 30);
    Event e = c.events().get(0);
    int from = (int) Math.round(e.startS() * RATE);
    for (float[] signal : new float[][] {c.calls(), c.samples()}) {
      // 8192 points from the event onset (events last >= 0.3 s = 8400 samples), Hann-windowed.
      int n = 8192;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = signal[from + i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
      }
      double[] p = new Fft(n).power(x);
      double total = 0;
      double near = 0;
      for (int k = 1; k < p.length; k++) {
        double f = (double) k * RATE / n;
        total += p[k];
        for (int h = 1; h * e.f0Hz() <= 9000 * 1.05; h++) {
          // vibrato is at most 3 %; allow 4 % plus a few bins of window leakage
          if (Math.abs(f - h * e.f0Hz()) <= 0.04 * h * e.f0Hz() + 15) {
            near += p[k];
            break;
          }
        }
      }
      assertTrue(near / total > 0.95, "fraction near harmonics " + near / total + " " + e);
    }
  }

  @Test
  void everyCallStaysIn1To9KHz() {
    for (String label : BirdCallSynth.CALL_LABELS) {
      Clip c = BirdCallSynth.segment(label, 3.0, 32_000, 5, 30);
      double[] x = new double[131_072];
      for (int i = 0; i < c.calls().length; i++) {
        x[i] = c.calls()[i];
      }
      double[] p = new Fft(x.length).power(x);
      double total = 0;
      double band = 0;
      for (int k = 0; k < p.length; k++) {
        double f = (double) k * 32_000 / x.length;
        total += p[k];
        if (f >= 900 && f <= 9100) {
          band += p[k];
        }
      }
      assertTrue(band / total > 0.99, label + ": " + band / total);
    }
  }

  @Test
  void validation() {
    assertThrows(IllegalArgumentException.class, () -> BirdCallSynth.segment("owl", 3, RATE, 1));
    assertThrows(
        IllegalArgumentException.class, () -> BirdCallSynth.segment("chirp", 3, 16_000, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> BirdCallSynth.generate(0.1, RATE, 1, 10, List.of("chirp", "chirp")));
  }

  static double meanSquare(float[] x, int from, int to) {
    double s = 0;
    for (int k = from; k < to; k++) {
      s += (double) x[k] * x[k];
    }
    return s / (to - from);
  }
}

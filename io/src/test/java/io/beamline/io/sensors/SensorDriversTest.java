package io.beamline.io.sensors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class SensorDriversTest {
  private static final SessionIds SESSION = new SessionIds("S01", "A");
  private static final long T0 = 1_700_000_000_000_000_000L;

  private static List<SensorEvent> events(SensorDriver d, long seed, Duration dur, int perEvent) {
    List<SensorEvent> out = new ArrayList<>();
    d.events(SESSION, seed, T0, dur, perEvent).forEachRemaining(out::add);
    return out;
  }

  /** One channel of a driver's float stream over {@code seconds}, concatenated. */
  private static double[] channel(SensorDriver d, long seed, int seconds, int c) {
    List<SensorEvent> ev = events(d, seed, Duration.ofSeconds(seconds), 50);
    int n = ev.stream().mapToInt(SensorEvent::sampleCount).sum();
    double[] x = new double[n];
    int i = 0;
    for (SensorEvent e : ev) {
      for (int s = 0; s < e.sampleCount(); s++) {
        x[i++] = e.samples()[s * e.channels() + c];
      }
    }
    return x;
  }

  /** Periodogram power at {@code f} Hz (Goertzel), mean removed. */
  private static double power(double[] x, double rate, double f) {
    double mean = 0;
    for (double v : x) {
      mean += v / x.length;
    }
    double w = 2 * Math.PI * f / rate;
    double coeff = 2 * Math.cos(w);
    double s1 = 0;
    double s2 = 0;
    for (double v : x) {
      double s = (v - mean) + coeff * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    return s1 * s1 + s2 * s2 - coeff * s1 * s2;
  }

  /** Frequency of the largest periodogram value on a grid from lo to hi. */
  private static double peak(double[] x, double rate, double lo, double hi, double step) {
    double best = lo;
    double bestPower = -1;
    for (double f = lo; f <= hi; f += step) {
      double p = power(x, rate, f);
      if (p > bestPower) {
        bestPower = p;
        best = f;
      }
    }
    return best;
  }

  private static double bandPower(double[] x, double rate, double lo, double hi, double step) {
    double sum = 0;
    for (double f = lo; f <= hi; f += step) {
      sum += power(x, rate, f);
    }
    return sum;
  }

  @Test
  void standardDriversHaveTheirRatesChannelsAndTopics() {
    List<String> summary = new ArrayList<>();
    for (SensorDriver d : Drivers.standard()) {
      summary.add(
          Topics.of("raw", d.modality(), d.sensorId())
              + " "
              + d.sampleRate()
              + "Hz x"
              + d.channels()
              + " "
              + d.unit());
      assertEquals(d.channels(), d.channelNames().size(), d.modality());
    }
    assertEquals(
        List.of(
            "raw.eeg.eeg01 250.0Hz x32 uV",
            "raw.audio.audio01 16000.0Hz x1 a.u.",
            "raw.video.video01 30.0Hz x12288 uint8 rgb",
            "raw.eda.eda01 32.0Hz x1 uS",
            "raw.fnirs.fnirs01 10.0Hz x16 uM",
            "raw.respiration.respiration01 25.0Hz x1 a.u.",
            "raw.ecg.ecg01 250.0Hz x1 mV",
            "raw.phone.phone01 1.0Hz x3 mixed"),
        summary);
  }

  @Test
  void sampleCountsTimestampsAndSeqAreExact() {
    Duration dur = Duration.ofMillis(2_500);
    for (SensorDriver d : Drivers.standard()) {
      int perEvent = 7;
      List<SensorEvent> ev = events(d, 3, dur, perEvent);
      long expected = (long) Math.ceil(2.5 * d.sampleRate());
      long total = 0;
      for (int i = 0; i < ev.size(); i++) {
        SensorEvent e = ev.get(i);
        assertEquals(i, e.seq());
        assertEquals(T0 + Math.round(total * 1e9 / d.sampleRate()), e.timestampNs(), d.modality());
        assertEquals(i < ev.size() - 1 ? perEvent : expected - total, e.sampleCount());
        assertEquals("S01", e.subjectId());
        assertEquals(d.deviceId(), e.deviceId());
        total += e.sampleCount();
      }
      assertEquals(expected, total, d.modality());
    }
    // 30 fps: frame 1 at 33,333,333 ns, frame 2 at 66,666,667 ns (rounded, not accumulated).
    assertEquals(T0 + 33_333_333, SampleClock.timestampNs(T0, 1, 30));
    assertEquals(T0 + 66_666_667, SampleClock.timestampNs(T0, 2, 30));
    assertEquals(T0 + 3_600_000_000_000L, SampleClock.timestampNs(T0, 108_000, 30));
    assertEquals(301, SampleClock.samplesIn(Duration.ofMillis(10_001), 30));
    assertEquals(300, SampleClock.samplesIn(Duration.ofSeconds(10), 30));
  }

  @Test
  void samplesDoNotDependOnBatchingAndFollowTheSeed() {
    for (SensorDriver d : Drivers.standard()) {
      Duration dur = Duration.ofMillis(d.modality().equals("phone") ? 20_000 : 500);
      assertEquals(flatten(events(d, 9, dur, 5)), flatten(events(d, 9, dur, 13)), d.modality());
      assertEquals(events(d, 9, dur, 5), events(d, 9, dur, 5), d.modality());
      assertNotEquals(flatten(events(d, 9, dur, 5)), flatten(events(d, 10, dur, 5)), d.modality());
    }
  }

  private static List<Float> flatten(List<SensorEvent> ev) {
    List<Float> out = new ArrayList<>();
    for (SensorEvent e : ev) {
      for (float f : e.samples()) {
        out.add(f);
      }
      for (byte b : e.bytes()) {
        out.add((float) b);
      }
    }
    return out;
  }

  @Test
  void eegPeaksInTheAlphaBand() {
    EegDriver eeg = new EegDriver("eeg01");
    for (int c : new int[] {0, 15, 31}) {
      double[] x = channel(eeg, 5, 20, c);
      double f = peak(x, 250, 2, 40, 0.05);
      assertThat("channel " + c, f, allOf(greaterThanOrEqualTo(8.0), lessThanOrEqualTo(12.0)));
      // The alpha band holds more power than 13-30 Hz (beta) despite the 1/f background.
      assertThat(bandPower(x, 250, 8, 12, 0.05), greaterThan(5 * bandPower(x, 250, 13, 30, 0.05)));
    }
  }

  @Test
  void audioIsBoundedWithItsFundamentalDominant() {
    double[] x = channel(new AudioDriver("audio01"), 4, 1, 0);
    for (double v : x) {
      assertThat(Math.abs(v), lessThanOrEqualTo(1.0));
    }
    double f0 = AudioDriver.fundamentalHz(4);
    assertThat(peak(x, 16_000, 60, 1000, 0.5), closeTo(f0, 1.0));
  }

  @Test
  void videoFramesShowTheDiscWhereItShouldBe() {
    VideoDriver video = new VideoDriver("video01");
    List<SensorEvent> ev = events(video, 8, Duration.ofSeconds(2), 15);
    assertEquals(4, ev.size());
    assertEquals("64", ev.get(0).meta().get("height"));
    assertEquals("rgb24", ev.get(0).meta().get("pixel_format"));
    int frame = 64 * 64 * 3;
    for (int k : new int[] {0, 17, 44, 59}) {
      SensorEvent e = ev.get(k / 15);
      int base = (k % 15) * frame;
      double sx = 0;
      double sy = 0;
      int n = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          int p = base + (y * 64 + x) * 3;
          if ((e.bytes()[p] & 0xFF) > 240
              && (e.bytes()[p + 1] & 0xFF) > 240
              && (e.bytes()[p + 2] & 0xFF) > 240) {
            sx += x + 0.5;
            sy += y + 0.5;
            n++;
          }
        }
      }
      double[] want = video.discCentre(k / 30.0);
      assertThat(n, allOf(greaterThan(150), lessThan(250))); // pi * 8^2 = 201 px
      assertThat(sx / n, closeTo(want[0], 0.5));
      assertThat(sy / n, closeTo(want[1], 0.5));
    }
  }

  @Test
  void edaIsPositiveWithPhasicResponses() {
    double[] x = channel(new EdaDriver("eda01"), 6, 300, 0);
    int rises = 0;
    double lastRise = -1e9;
    for (int i = 32; i < x.length; i++) {
      assertThat(x[i], greaterThan(0.0));
      double t = i / 32.0;
      // An SCR raises the level by > 0.1 uS within a second; the tonic drift cannot.
      if (x[i] - x[i - 32] > 0.1 && t - lastRise > 4) {
        rises++;
        lastRise = t;
      }
    }
    // Poisson, mean 300 / 15 = 20 (fixed by the seed; the range only documents the intent).
    assertThat(rises, allOf(greaterThanOrEqualTo(10), lessThanOrEqualTo(35)));
  }

  @Test
  void fnirsIsSlowAndHbrMirrorsHbo() {
    FnirsDriver fnirs = new FnirsDriver("fnirs01");
    double[] hbo = channel(fnirs, 2, 200, 0);
    double[] hbr = channel(fnirs, 2, 200, 1);
    double slow = bandPower(hbo, 10, 0.05, 0.2, 0.005);
    double fast = bandPower(hbo, 10, 0.5, 5, 0.005);
    assertThat(slow, greaterThan(20 * fast));
    assertThat(correlation(hbo, hbr), lessThan(-0.9));
  }

  @Test
  void respirationBreathesAtItsRate() {
    double[] x = channel(new RespirationDriver("respiration01"), 3, 120, 0);
    int up = 0;
    boolean below = x[0] < 0;
    for (double v : x) {
      if (below && v > 0.2) {
        up++;
        below = false;
      } else if (v < -0.2) {
        below = true;
      }
    }
    assertThat((double) up, closeTo(24, 1)); // 12 breaths/min for 2 min
    assertThat(peak(x, 25, 0.05, 1.0, 0.005), closeTo(0.2, 0.015));
  }

  @Test
  void ecgHasRPeaksAtTheHeartRate() {
    double[] x = channel(new EcgDriver("ecg01"), 1, 120, 0);
    List<Integer> peaks = new ArrayList<>();
    for (int i = 1; i < x.length - 1; i++) {
      if (x[i] > 0.6 && x[i] >= x[i - 1] && x[i] > x[i + 1]) {
        if (peaks.isEmpty() || i - peaks.get(peaks.size() - 1) > 0.25 * 250) {
          peaks.add(i);
        }
      }
    }
    assertThat((double) peaks.size(), closeTo(130, 3)); // 65 bpm for 2 min
    double meanRr = (peaks.get(peaks.size() - 1) - peaks.get(0)) / 250.0 / (peaks.size() - 1);
    assertThat(meanRr, closeTo(60 / 65.0, 0.02));
    // QRS is the tallest wave: R about 1.2 mV, nothing else above 0.6 mV.
    double max = 0;
    for (double v : x) {
      max = Math.max(max, v);
    }
    assertThat(max, closeTo(1.25, 0.15));
  }

  @Test
  void phoneChannelsStayInTheirDomains() {
    PhoneDriver phone = new PhoneDriver("phone01");
    List<SensorEvent> ev = events(phone, 12, Duration.ofMinutes(10), 60);
    int on = 0;
    int n = 0;
    for (SensorEvent e : ev) {
      float[] s = e.samples();
      for (int i = 0; i < e.sampleCount(); i++, n++) {
        float screen = s[3 * i];
        float taps = s[3 * i + 1];
        float orientation = s[3 * i + 2];
        assertTrue(screen == 0f || screen == 1f);
        assertThat((double) taps, greaterThanOrEqualTo(0.0));
        if (screen == 0f) {
          assertEquals(0f, taps);
        }
        assertTrue(List.of(0f, 90f, 180f, 270f).contains(orientation));
        on += (int) screen;
      }
    }
    assertEquals(600, n);
    assertThat((double) on / n, closeTo(2 / 3.0, 0.2)); // mean dwell 20 s on, 10 s off
  }

  @Test
  void unboundedStreamKeepsGoing() {
    Iterator<SensorEvent> it = new PhoneDriver("phone01").unboundedEvents(SESSION, 1, T0, 1);
    SensorEvent last = null;
    for (int i = 0; i < 5000; i++) {
      assertTrue(it.hasNext());
      last = it.next();
    }
    assertEquals(4999, last.seq());
    assertEquals(T0 + 4999L * 1_000_000_000L, last.timestampNs());
  }

  private static double correlation(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i] / a.length;
      mb += b[i] / b.length;
    }
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }
}

package io.beamline.transforms.nmm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JansenRitSimulatorTest {

  private static final SigmoidalJansenRitCoupling TVB_COUPLING =
      SigmoidalJansenRitCoupling.tvbDefaults();
  private static final double DT = JansenRitSimulator.DEFAULT_DT_MS;
  private static final double FS_HZ = 1000.0 / DT;

  @Test
  void uncoupledNodeWithoutNoiseSettlesOnItsFixedPoint() {
    // DeepSIF's background regions (A = 3.25, v0 = 6, mu = 0.087) without noise are at rest.
    JansenRitParameters p = JansenRitParameters.deepSif(1, 0, 0).withA(3.25).withNoiseNsig(0.0);
    JansenRitSimulator sim =
        JansenRitSimulator.create(p, TVB_COUPLING, RegionConnectivity.unconnected(1), DT, 1L);
    sim.simulate(40_000); // 20 s
    double[] y = sim.state()[0];

    double[] dy = NaiveJansenRit.derivatives(p, 0, y, 0.0);
    for (int k = 0; k < 6; k++) {
      assertEquals(0.0, dy[k], 1e-9, "dy" + k);
    }
    // The fixed point solved independently: y3 = y4 = y5 = 0 and
    // y0 = A/a S(y1 - y2), y1 = A/a (mu + a2 J S(a1 J y0)), y2 = B/b a4 J S(a3 J y0).
    List<Double> roots = fixedPointY0Roots(p);
    assertFalse(roots.isEmpty());
    double nearest = roots.get(0);
    for (double root : roots) {
      if (Math.abs(root - y[0]) < Math.abs(nearest - y[0])) {
        nearest = root;
      }
    }
    assertEquals(nearest, y[0], 1e-9);
    assertEquals(fixedPointY1(p, nearest), y[1], 1e-7);
    assertEquals(fixedPointY2(p, nearest), y[2], 1e-7);
  }

  @Test
  void originalJansenRitSettingOscillatesInTheAlphaBand() {
    // TVB defaults with v0 = 6 mV, the value of Jansen & Rit (1995) and TVB's documented "usual
    // value", plus DeepSIF-sized noise: the classic ~10-11 Hz alpha rhythm.
    double nsig = JansenRitParameters.deepSifNoiseNsig(0.1, 0.12, 0.32, 1.0);
    JansenRitParameters p = JansenRitParameters.tvbDefaults().withV0(6.0).withNoiseNsig(nsig);
    for (long seed = 1; seed <= 3; seed++) {
      JansenRitSimulator sim =
          JansenRitSimulator.create(p, TVB_COUPLING, RegionConnectivity.unconnected(1), DT, seed);
      float[] x = sim.simulate(24_000)[0]; // 12 s
      double peak = dominantFrequencyHz(Arrays.copyOfRange(x, 4_000, x.length), FS_HZ, 1.0, 40.0);
      assertThat("seed " + seed, peak, allOf(greaterThanOrEqualTo(8.0), lessThanOrEqualTo(12.0)));
    }
  }

  @Test
  void deepSifSourceRegionSpikesWhileBackgroundStaysLow() {
    RegionConnectivity net = smallNetwork();
    for (int it = 0; it < 3; it++) {
      JansenRitParameters p = JansenRitParameters.deepSif(4, 0, it);
      JansenRitSimulator sim = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 7L);
      float[][] y = sim.simulate(200_000); // 100 s
      double backgroundMax = 0;
      for (int r = 1; r < 4; r++) {
        backgroundMax = Math.max(backgroundMax, max(y[r], 1000));
        assertEquals(0, upCrossings(y[r], 1000, 8.0), "background region " + r + " crossed 8 mV");
      }
      // DeepSIF calls anything above 8 mV a spike: the background must stay below it,
      // the source must cross it repeatedly and reach far above the background.
      assertThat(backgroundMax, lessThan(8.0));
      assertThat(upCrossings(y[0], 1000, 8.0), greaterThanOrEqualTo(3));
      assertThat(max(y[0], 1000), greaterThan(backgroundMax + 5.0));
    }
  }

  @Test
  void sameSeedIsBitIdenticalAndOtherSeedDiffers() {
    RegionConnectivity net = TestNetworks.randomSparse(10, 0.3, 5L);
    JansenRitParameters p = JansenRitParameters.deepSif(10, 2, 1);
    float[][] a = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 42L).simulate(3000);
    float[][] b = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 42L).simulate(3000);
    float[][] c = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 43L).simulate(3000);
    assertTrue(Arrays.deepEquals(a, b));
    assertFalse(Arrays.deepEquals(a, c));
  }

  @Test
  void blocksAndRepeatedRunsContinueOneTrajectory() {
    RegionConnectivity net = TestNetworks.randomSparse(6, 0.5, 9L);
    JansenRitParameters p = JansenRitParameters.deepSif(6, 0, 2);
    float[][] whole = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 3L).simulate(1000);

    JansenRitSimulator sim = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 3L);
    float[][] pieces = new float[6][1000];
    List<Long> firsts = new ArrayList<>();
    SampleBlockConsumer copy =
        (first, length, block) -> {
          firsts.add(first);
          for (int r = 0; r < 6; r++) {
            System.arraycopy(block[r], 0, pieces[r], (int) first, length);
          }
        };
    sim.run(250, 7, copy);
    sim.run(750, 1000, copy);
    assertEquals(1000, sim.samplesProduced());
    assertEquals(0L, firsts.get(0));
    assertEquals(7L, firsts.get(1));
    assertEquals(250L, firsts.get(36)); // 250 = 35 blocks of 7 + one of 5
    assertTrue(Arrays.deepEquals(whole, pieces));
  }

  @Test
  void fastKernelMatchesNaiveTranscription() {
    RegionConnectivity net = TestNetworks.randomSparse(12, 0.3, 11L);
    double[] init = {0.01, 3.0, 2.5, 0.1, -0.2, 0.3};
    JansenRitParameters[] cases = {
      JansenRitParameters.deepSif(12, 4, 0), JansenRitParameters.tvbDefaults().withNoiseNsig(1e-3)
    };
    for (JansenRitParameters p : cases) {
      JansenRitSimulator fast = JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 99L, init);
      NaiveJansenRit naive = new NaiveJansenRit(p, TVB_COUPLING, net, DT, 99L, init);
      float[][] f = fast.simulate(4000);
      float[][] g = naive.simulate(4000);
      double scale = 0;
      for (float[] row : g) {
        scale = Math.max(scale, max(row, 0));
      }
      for (int r = 0; r < 12; r++) {
        for (int t = 0; t < 4000; t++) {
          assertEquals(g[r][t], f[r][t], 1e-6 * scale, "region " + r + " sample " + t);
        }
      }
      double[][] sf = fast.state();
      double[][] sn = naive.state();
      for (int r = 0; r < 12; r++) {
        for (int k = 0; k < 6; k++) {
          assertEquals(sn[r][k], sf[r][k], 1e-9 * Math.max(1.0, Math.abs(sn[r][k])));
        }
      }
    }
  }

  @Test
  void couplingArrivesAfterTheConductionDelay() {
    // Region 0 drives region 1 through a 30 mm tract at 3 mm/ms: 10 ms = 20 steps of 0.5 ms.
    // Changing region 0 (its A) cannot change region 1 before the delay has elapsed: coupling at
    // step n reads region 0 at state n - 20, and region 0's states differ from state 1 on.
    double[][] w = {{0, 0}, {1.5, 0}};
    double[][] l = {{0, 30}, {30, 0}};
    RegionConnectivity net = RegionConnectivity.of(w, l, 3.0);
    JansenRitParameters base = JansenRitParameters.tvbDefaults();
    for (boolean useNaive : new boolean[] {false, true}) {
      JansenRitKernel a = kernel(useNaive, base.withRegionA(new double[] {3.25, 3.25}), net);
      JansenRitKernel b = kernel(useNaive, base.withRegionA(new double[] {3.6, 3.25}), net);
      a.simulate(21); // steps 0..20 read region 0 at states <= 0: the common initial state
      b.simulate(21);
      assertArrayEquals(a.state()[1], b.state()[1], 0.0, "naive=" + useNaive);
      assertFalse(Arrays.equals(a.state()[0], b.state()[0]));
      a.simulate(1); // step 21 reads region 0 at state 1, which differs
      b.simulate(1);
      assertFalse(Arrays.equals(a.state()[1], b.state()[1]), "naive=" + useNaive);
    }
  }

  @Test
  void invalidSetupsAreRejected() {
    RegionConnectivity two = RegionConnectivity.unconnected(2);
    JansenRitParameters p = JansenRitParameters.deepSif(3, 0, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JansenRitSimulator.create(p, TVB_COUPLING, two, DT, 1L));
    assertThat(e.getMessage(), containsString("per-region A has 3 regions"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JansenRitSimulator.create(p.withA(3.25), TVB_COUPLING, two, 0.0, 1L));
    assertThat(e.getMessage(), containsString("dtMs must be finite and > 0, got 0.0"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                JansenRitSimulator.create(p.withA(3.25), TVB_COUPLING, two, DT, 1L, new double[5]));
    assertThat(e.getMessage(), containsString("initialState must hold y0..y5"));
    JansenRitSimulator sim = JansenRitSimulator.create(p.withA(3.25), TVB_COUPLING, two, DT, 1L);
    e = assertThrows(IllegalArgumentException.class, () -> sim.run(10, 0, (f, l, b) -> {}));
    assertThat(e.getMessage(), containsString("blockLength"));
  }

  @Test
  void gaussianNoiseIsStandardNormalAndReproducible() {
    GaussianNoise g = new GaussianNoise(2024L);
    int n = 400_000;
    double sum = 0;
    double sumSq = 0;
    int beyondTwo = 0;
    for (int i = 0; i < n; i++) {
      double z = g.next();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 2.0) {
        beyondTwo++;
      }
    }
    double mean = sum / n;
    assertEquals(0.0, mean, 0.01);
    assertEquals(1.0, sumSq / n - mean * mean, 0.01);
    assertEquals(0.0455, beyondTwo / (double) n, 0.002); // P(|Z| > 2) = 0.0455
    GaussianNoise x = new GaussianNoise(5L);
    GaussianNoise y = new GaussianNoise(5L);
    double[] xs = new double[7];
    double[] ys = new double[7];
    for (int i = 0; i < 7; i++) {
      xs[i] = x.next();
      ys[i] = y.next();
    }
    assertArrayEquals(xs, ys, 0.0);
  }

  // ---------------------------------------------------------------------------------------------

  private static JansenRitKernel kernel(
      boolean naive, JansenRitParameters p, RegionConnectivity net) {
    return naive
        ? new NaiveJansenRit(p, TVB_COUPLING, net, DT, 1L)
        : JansenRitSimulator.create(p, TVB_COUPLING, net, DT, 1L);
  }

  /** Four regions, all-to-all with weight 1, tract lengths 30-80 mm. */
  private static RegionConnectivity smallNetwork() {
    double[][] w = new double[4][4];
    double[][] l = new double[4][4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        w[i][j] = i == j ? 0 : 1;
        l[i][j] = i == j ? 0 : 30 + 10 * (i + j);
      }
    }
    return RegionConnectivity.of(w, l, 3.0);
  }

  private static double sigm(JansenRitParameters p, double v) {
    return 2.0 * p.nuMax() / (1.0 + Math.exp(p.r() * (p.v0() - v)));
  }

  private static double fixedPointY1(JansenRitParameters p, double y0) {
    return p.bigA(0) / p.lowerA() * (p.mu() + p.a2() * p.bigJ() * sigm(p, p.a1() * p.bigJ() * y0));
  }

  private static double fixedPointY2(JansenRitParameters p, double y0) {
    return p.bigB() / p.lowerB() * p.a4() * p.bigJ() * sigm(p, p.a3() * p.bigJ() * y0);
  }

  /** All roots of y0 = A/a S(y1(y0) - y2(y0)) in [0, 2 nu_max A / a], by scan and bisection. */
  private static List<Double> fixedPointY0Roots(JansenRitParameters p) {
    double hi = 2 * p.nuMax() * p.bigA(0) / p.lowerA();
    int cells = 20_000;
    List<Double> roots = new ArrayList<>();
    double prevX = 0;
    double prevG = residual(p, 0);
    for (int k = 1; k <= cells; k++) {
      double x = hi * k / cells;
      double g = residual(p, x);
      if (Math.signum(g) != Math.signum(prevG)) {
        double lo = prevX;
        double up = x;
        for (int it = 0; it < 200; it++) {
          double mid = 0.5 * (lo + up);
          if (Math.signum(residual(p, mid)) == Math.signum(residual(p, lo))) {
            lo = mid;
          } else {
            up = mid;
          }
        }
        roots.add(0.5 * (lo + up));
      }
      prevX = x;
      prevG = g;
    }
    return roots;
  }

  private static double residual(JansenRitParameters p, double y0) {
    return p.bigA(0) / p.lowerA() * sigm(p, fixedPointY1(p, y0) - fixedPointY2(p, y0)) - y0;
  }

  /** Frequency (Hz) of the largest plain-DFT power between lo and hi, in 0.25 Hz steps. */
  static double dominantFrequencyHz(float[] x, double fs, double lo, double hi) {
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double bestPower = -1;
    double best = Double.NaN;
    for (double f = lo; f <= hi; f += 0.25) {
      double re = 0;
      double im = 0;
      double w = 2 * Math.PI * f / fs;
      for (int t = 0; t < x.length; t++) {
        re += (x[t] - mean) * Math.cos(w * t);
        im -= (x[t] - mean) * Math.sin(w * t);
      }
      double power = re * re + im * im;
      if (power > bestPower) {
        bestPower = power;
        best = f;
      }
    }
    return best;
  }

  private static double max(float[] x, int from) {
    double m = Double.NEGATIVE_INFINITY;
    for (int t = from; t < x.length; t++) {
      m = Math.max(m, x[t]);
    }
    return m;
  }

  private static int upCrossings(float[] x, int from, double level) {
    int n = 0;
    for (int t = Math.max(from, 1); t < x.length; t++) {
      if (x[t] > level && x[t - 1] <= level) {
        n++;
      }
    }
    return n;
  }
}

package io.beamline.transforms.nmm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JansenRitParametersTest {

  @Test
  void tvbDefaultsMatchTvb() {
    JansenRitParameters p = JansenRitParameters.tvbDefaults();
    assertEquals(3.25, p.bigA(0));
    assertEquals(-1, p.regionACount());
    assertEquals(22.0, p.bigB());
    assertEquals(0.1, p.lowerA());
    assertEquals(0.05, p.lowerB());
    assertEquals(5.52, p.v0());
    assertEquals(0.0025, p.nuMax());
    assertEquals(0.56, p.r());
    assertEquals(135.0, p.bigJ());
    assertEquals(1.0, p.a1());
    assertEquals(0.8, p.a2());
    assertEquals(0.25, p.a3());
    assertEquals(0.25, p.a4());
    assertEquals(0.12, p.pMin());
    assertEquals(0.32, p.pMax());
    assertEquals(0.22, p.mu());
    assertEquals(0.0, p.noiseNsig());
  }

  @Test
  void deepSifPresetOverridesAndPairsMuWithNoise() {
    double[] mus = {0.087, 0.08, 0.083};
    double[] stds = {1.0, 1.7, 1.5};
    for (int it = 0; it < 3; it++) {
      JansenRitParameters p = JansenRitParameters.deepSif(5, 3, it);
      assertEquals(6.0, p.v0());
      assertEquals(0.15, p.pMax());
      assertEquals(0.03, p.pMin());
      assertEquals(mus[it], p.mu());
      assertEquals(5, p.regionACount());
      for (int r = 0; r < 5; r++) {
        assertEquals(r == 3 ? 3.5 : 3.25, p.bigA(r));
      }
      // (a * 3.25 * (p_max - p_min) * 0.5 * std)^2 / 2 with a = 0.1, p_max - p_min = 0.12
      double s = 0.0195 * stds[it];
      assertEquals(s * s / 2.0, p.noiseNsig(), 1e-15);
    }
    assertEquals(0.000190125, JansenRitParameters.deepSif(1, 0, 0).noiseNsig(), 1e-15);
  }

  @Test
  void withMethodsReturnNewInstancesInAnyOrder() {
    JansenRitParameters base = JansenRitParameters.tvbDefaults();
    JansenRitParameters x = base.withMu(0.1).withV0(6.0);
    JansenRitParameters y = base.withV0(6.0).withMu(0.1);
    assertEquals(x, y);
    assertEquals(x.hashCode(), y.hashCode());
    assertEquals(0.22, base.mu());
    assertNotEquals(base, x);
    double[] perRegion = {3.0, 4.0};
    JansenRitParameters z = base.withRegionA(perRegion);
    perRegion[0] = 99.0; // the array was copied
    assertEquals(3.0, z.bigA(0));
    assertEquals(5.0, z.withA(5.0).bigA(1));
    assertEquals(-1, z.withA(5.0).regionACount());
  }

  @Test
  void invalidValuesAreRejectedWithNameAndValue() {
    JansenRitParameters p = JansenRitParameters.tvbDefaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.withA(-1));
    assertThat(e.getMessage(), containsString("A (mV)"));
    assertThat(e.getMessage(), containsString("-1.0"));
    e = assertThrows(IllegalArgumentException.class, () -> p.withLowerB(Double.NaN));
    assertThat(e.getMessage(), containsString("b (1/ms)"));
    e = assertThrows(IllegalArgumentException.class, () -> p.withRegionA(new double[] {3, 0}));
    assertThat(e.getMessage(), containsString("A[1]"));
    e = assertThrows(IllegalArgumentException.class, () -> p.withInputRange(0.3, 0.1));
    assertThat(e.getMessage(), containsString("p_max must be >= p_min"));
    e = assertThrows(IllegalArgumentException.class, () -> p.withNoiseNsig(-1e-3));
    assertThat(e.getMessage(), containsString("noiseNsig"));
    e = assertThrows(IllegalArgumentException.class, () -> JansenRitParameters.deepSif(4, 4, 0));
    assertThat(e.getMessage(), containsString("sourceRegion must be in [0, 3], got 4"));
    e = assertThrows(IllegalArgumentException.class, () -> JansenRitParameters.deepSif(4, 0, 3));
    assertThat(e.getMessage(), containsString("iteration must be in [0, 2], got 3"));
    JansenRitParameters two = p.withRegionA(new double[] {3.25, 3.5});
    e = assertThrows(IllegalArgumentException.class, () -> two.checkRegionCount(3));
    assertThat(e.getMessage(), containsString("per-region A has 2 regions but the connectivity"));
  }

  @Test
  void couplingDefaultsMatchTvbSigmoidalJansenRit() {
    SigmoidalJansenRitCoupling c = SigmoidalJansenRitCoupling.tvbDefaults();
    assertEquals(1.0, c.a());
    assertEquals(0.0, c.cmin());
    assertEquals(0.005, c.cmax());
    assertEquals(6.0, c.midpoint());
    assertEquals(0.56, c.r());
    // At the midpoint the sigmoid is half way between cmin and cmax.
    assertEquals(0.0025, c.pre(6.0), 1e-18);
    assertEquals(0.005 / (1.0 + Math.exp(0.56 * 6.0)), c.pre(0.0), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> c.withRange(1.0, 0.0));
    assertThrows(IllegalArgumentException.class, () -> c.withSigmoid(6.0, 0.0));
  }
}

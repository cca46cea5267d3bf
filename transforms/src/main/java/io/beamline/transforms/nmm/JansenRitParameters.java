package io.beamline.transforms.nmm;

import java.util.Arrays;

/**
 * Immutable parameters of TVB's {@code JansenRit} neural-mass model (tvb-root {@code
 * tvb/simulator/models/jansen_rit.py}), plus the additive-noise intensity on {@code y4} used by the
 * stochastic Heun integrator.
 *
 * <p>Units follow TVB: time in ms, potentials in mV, rates in 1/ms. The model, per region, with
 * {@code S(v) = 2 nu_max / (1 + exp(r (v0 - v)))} and long-range coupling {@code c}:
 *
 * <pre>
 * dy0 = y3                dy3 = A a S(y1 - y2) - 2 a y3 - a^2 y0
 * dy1 = y4                dy4 = A a (mu + a_2 J S(a_1 J y0) + c) - 2 a y4 - a^2 y1
 * dy2 = y5                dy5 = B b a_4 J S(a_3 J y0) - 2 b y5 - b^2 y2
 * </pre>
 *
 * <p>The excitatory gain {@code A} may differ per region (DeepSIF raises it in one source region to
 * make that region spike); every other parameter is shared by all regions. Instances are built from
 * {@link #tvbDefaults()} or {@link #deepSif(int, int, int)} and changed with {@code withX} methods,
 * which return a new instance and may be called in any order.
 *
 * <pre>{@code
 * JansenRitParameters p = JansenRitParameters.deepSif(76, 12, 0); // region 12 spikes, mu = 0.087
 * }</pre>
 */
public final class JansenRitParameters {

  /** DeepSIF's three background input means {@code mu} (1/ms), one simulation run per value. */
  private static final double[] DEEPSIF_MU = {0.087, 0.08, 0.083};

  /** DeepSIF's noise standard-deviation factors, paired index by index with {@link #DEEPSIF_MU}. */
  private static final double[] DEEPSIF_NOISE_STD = {1.0, 1.7, 1.5};

  /** Excitatory gain of the background regions in DeepSIF, mV. */
  public static final double DEEPSIF_BACKGROUND_A = 3.25;

  /** Excitatory gain of DeepSIF's spiking source region, mV. */
  public static final double DEEPSIF_SOURCE_A = 3.5;

  private final double bigA;
  private final double[] regionA; // null = bigA everywhere
  private final double bigB;
  private final double a;
  private final double b;
  private final double v0;
  private final double nuMax;
  private final double r;
  private final double j;
  private final double a1;
  private final double a2;
  private final double a3;
  private final double a4;
  private final double pMin;
  private final double pMax;
  private final double mu;
  private final double noiseNsig;

  private JansenRitParameters(Builder x) {
    this.bigA = x.bigA;
    this.regionA = x.regionA == null ? null : x.regionA.clone();
    this.bigB = x.bigB;
    this.a = x.a;
    this.b = x.b;
    this.v0 = x.v0;
    this.nuMax = x.nuMax;
    this.r = x.r;
    this.j = x.j;
    this.a1 = x.a1;
    this.a2 = x.a2;
    this.a3 = x.a3;
    this.a4 = x.a4;
    this.pMin = x.pMin;
    this.pMax = x.pMax;
    this.mu = x.mu;
    this.noiseNsig = x.noiseNsig;
    validate();
  }

  /**
   * TVB's defaults: A=3.25 mV, B=22 mV, a=0.1 /ms, b=0.05 /ms, v0=5.52 mV, nu_max=0.0025 /ms,
   * r=0.56 /mV, J=135, a_1=1.0, a_2=0.8, a_3=0.25, a_4=0.25, p_min=0.12, p_max=0.32, mu=0.22 /ms,
   * and no noise ({@code noiseNsig = 0}).
   */
  public static JansenRitParameters tvbDefaults() {
    return new JansenRitParameters(new Builder());
  }

  /**
   * DeepSIF's setting ({@code forward/generate_tvb_data.py}): TVB defaults with v0=6 mV,
   * p_max=0.15, p_min=0.03, A=3.25 mV in every region except {@value #DEEPSIF_SOURCE_A} mV in
   * {@code sourceRegion}, and the background mean / noise pair number {@code iteration}: mu =
   * 0.087, 0.08, 0.083 /ms with noise std factor 1, 1.7, 1.5 for iteration 0, 1, 2. The noise
   * intensity on y4 is {@code nsig = (a * 3.25 * (p_max - p_min) * 0.5 * std)^2 / 2}, as DeepSIF
   * computes it (always with 3.25, also in the source region).
   *
   * @param regionCount number of regions, at least 1
   * @param sourceRegion 0-based index of the spiking region, in [0, regionCount)
   * @param iteration DeepSIF's {@code mean_iter}, in [0, 2]
   */
  public static JansenRitParameters deepSif(int regionCount, int sourceRegion, int iteration) {
    Checks.inRange("regionCount", regionCount, 1, Integer.MAX_VALUE);
    Checks.inRange("sourceRegion", sourceRegion, 0, regionCount - 1);
    Checks.inRange("iteration", iteration, 0, DEEPSIF_MU.length - 1);
    double[] perRegion = new double[regionCount];
    Arrays.fill(perRegion, DEEPSIF_BACKGROUND_A);
    perRegion[sourceRegion] = DEEPSIF_SOURCE_A;
    Builder x = new Builder();
    x.v0 = 6.0;
    x.pMax = 0.15;
    x.pMin = 0.03;
    x.mu = DEEPSIF_MU[iteration];
    x.regionA = perRegion;
    x.noiseNsig = deepSifNoiseNsig(x.a, x.pMin, x.pMax, DEEPSIF_NOISE_STD[iteration]);
    return new JansenRitParameters(x);
  }

  /**
   * DeepSIF's noise intensity on y4: {@code (a * 3.25 * (pMax - pMin) * 0.5 * std)^2 / 2}. TVB's
   * additive noise adds {@code sqrt(2 nsig) sqrt(dt) N(0,1)} per step, so the {@code / 2} makes the
   * per-sqrt(ms) standard deviation equal to {@code a * 3.25 * (pMax - pMin) * 0.5 * std}.
   *
   * @param a excitatory rate, 1/ms, > 0
   * @param pMin lower input bound, 1/ms
   * @param pMax upper input bound, 1/ms, >= pMin
   * @param std noise standard-deviation factor, >= 0
   */
  public static double deepSifNoiseNsig(double a, double pMin, double pMax, double std) {
    Checks.positive("a", a);
    Checks.nonNegative("std", std);
    if (!(pMax >= pMin)) {
      throw new IllegalArgumentException(
          "pMax must be >= pMin, got pMin=" + pMin + ", pMax=" + pMax);
    }
    double s = a * DEEPSIF_BACKGROUND_A * (pMax - pMin) * 0.5 * std;
    return s * s / 2.0;
  }

  private void validate() {
    Checks.positive("A (mV)", bigA);
    if (regionA != null) {
      if (regionA.length == 0) {
        throw new IllegalArgumentException("per-region A must have at least 1 region, got 0");
      }
      for (int i = 0; i < regionA.length; i++) {
        Checks.positive("A[" + i + "] (mV)", regionA[i]);
      }
    }
    Checks.positive("B (mV)", bigB);
    Checks.positive("a (1/ms)", a);
    Checks.positive("b (1/ms)", b);
    Checks.finite("v0 (mV)", v0);
    Checks.positive("nu_max (1/ms)", nuMax);
    Checks.positive("r (1/mV)", r);
    Checks.positive("J", j);
    Checks.nonNegative("a_1", a1);
    Checks.nonNegative("a_2", a2);
    Checks.nonNegative("a_3", a3);
    Checks.nonNegative("a_4", a4);
    Checks.nonNegative("p_min (1/ms)", pMin);
    Checks.nonNegative("p_max (1/ms)", pMax);
    if (pMax < pMin) {
      throw new IllegalArgumentException(
          "p_max must be >= p_min, got p_min=" + pMin + ", p_max=" + pMax);
    }
    Checks.finite("mu (1/ms)", mu);
    Checks.nonNegative("noiseNsig", noiseNsig);
  }

  private Builder toBuilder() {
    Builder x = new Builder();
    x.bigA = bigA;
    x.regionA = regionA;
    x.bigB = bigB;
    x.a = a;
    x.b = b;
    x.v0 = v0;
    x.nuMax = nuMax;
    x.r = r;
    x.j = j;
    x.a1 = a1;
    x.a2 = a2;
    x.a3 = a3;
    x.a4 = a4;
    x.pMin = pMin;
    x.pMax = pMax;
    x.mu = mu;
    x.noiseNsig = noiseNsig;
    return x;
  }

  /** Same parameters with A = {@code value} mV in every region (drops any per-region A); > 0. */
  public JansenRitParameters withA(double value) {
    Builder x = toBuilder();
    x.bigA = value;
    x.regionA = null;
    return new JansenRitParameters(x);
  }

  /**
   * Same parameters with one A per region (mV, each > 0); the array length then fixes the region
   * count the parameters can be used with. The array is copied.
   */
  public JansenRitParameters withRegionA(double[] perRegion) {
    Checks.notNull("perRegion", perRegion);
    Builder x = toBuilder();
    x.regionA = perRegion.clone();
    return new JansenRitParameters(x);
  }

  /** Same parameters with inhibitory gain B = {@code value} mV (> 0; TVB default 22). */
  public JansenRitParameters withB(double value) {
    Builder x = toBuilder();
    x.bigB = value;
    return new JansenRitParameters(x);
  }

  /** Same parameters with excitatory rate a = {@code value} 1/ms (> 0; default 0.1). */
  public JansenRitParameters withLowerA(double value) {
    Builder x = toBuilder();
    x.a = value;
    return new JansenRitParameters(x);
  }

  /** Same parameters with inhibitory rate b = {@code value} 1/ms (> 0; default 0.05). */
  public JansenRitParameters withLowerB(double value) {
    Builder x = toBuilder();
    x.b = value;
    return new JansenRitParameters(x);
  }

  /** Same parameters with sigmoid midpoint v0 = {@code value} mV (finite; default 5.52). */
  public JansenRitParameters withV0(double value) {
    Builder x = toBuilder();
    x.v0 = value;
    return new JansenRitParameters(x);
  }

  /** Same parameters with mean input mu = {@code value} 1/ms (finite; default 0.22). */
  public JansenRitParameters withMu(double value) {
    Builder x = toBuilder();
    x.mu = value;
    return new JansenRitParameters(x);
  }

  /** Same parameters with input bounds p_min, p_max in 1/ms (0 <= pMin <= pMax). */
  public JansenRitParameters withInputRange(double pMinValue, double pMaxValue) {
    Builder x = toBuilder();
    x.pMin = pMinValue;
    x.pMax = pMaxValue;
    return new JansenRitParameters(x);
  }

  /**
   * Same parameters with additive noise intensity {@code nsig} on y4 (TVB's {@code
   * noise.Additive(nsig)}; >= 0, default 0 = deterministic). Each step adds {@code sqrt(2 nsig)
   * sqrt(dt) N(0,1)} to y4.
   */
  public JansenRitParameters withNoiseNsig(double value) {
    Builder x = toBuilder();
    x.noiseNsig = value;
    return new JansenRitParameters(x);
  }

  /** Excitatory gain A of {@code region} in mV (the uniform value when none is set per region). */
  public double bigA(int region) {
    return regionA == null ? bigA : regionA[region];
  }

  /** Number of regions the per-region A is set for, or -1 when A is uniform. */
  public int regionACount() {
    return regionA == null ? -1 : regionA.length;
  }

  /** Inhibitory gain B, mV. */
  public double bigB() {
    return bigB;
  }

  /** Excitatory rate constant a, 1/ms. */
  public double lowerA() {
    return a;
  }

  /** Inhibitory rate constant b, 1/ms. */
  public double lowerB() {
    return b;
  }

  /** Sigmoid midpoint v0, mV. */
  public double v0() {
    return v0;
  }

  /** Half the sigmoid's maximum firing rate, nu_max, 1/ms (the sigmoid saturates at 2 nu_max). */
  public double nuMax() {
    return nuMax;
  }

  /** Sigmoid steepness r, 1/mV. */
  public double r() {
    return r;
  }

  /** Average number of synapses between populations, J. */
  public double bigJ() {
    return j;
  }

  /** Connectivity fraction a_1 (pyramidal to excitatory interneurons). */
  public double a1() {
    return a1;
  }

  /** Connectivity fraction a_2 (excitatory interneurons to pyramidal). */
  public double a2() {
    return a2;
  }

  /** Connectivity fraction a_3 (pyramidal to inhibitory interneurons). */
  public double a3() {
    return a3;
  }

  /** Connectivity fraction a_4 (inhibitory interneurons to pyramidal). */
  public double a4() {
    return a4;
  }

  /** Lower input bound p_min, 1/ms (used only to derive noise intensity). */
  public double pMin() {
    return pMin;
  }

  /** Upper input bound p_max, 1/ms (used only to derive noise intensity). */
  public double pMax() {
    return pMax;
  }

  /** Mean input mu, 1/ms. */
  public double mu() {
    return mu;
  }

  /** Additive noise intensity nsig on y4 (TVB units: the step adds sqrt(2 nsig dt) N(0,1)). */
  public double noiseNsig() {
    return noiseNsig;
  }

  /**
   * Checks these parameters can drive {@code regionCount} regions (a per-region A must match).
   *
   * @throws IllegalArgumentException naming both counts when they differ
   */
  public void checkRegionCount(int regionCount) {
    if (regionA != null && regionA.length != regionCount) {
      throw new IllegalArgumentException(
          "per-region A has "
              + regionA.length
              + " regions but the connectivity has "
              + regionCount);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof JansenRitParameters)) {
      return false;
    }
    JansenRitParameters p = (JansenRitParameters) o;
    return Arrays.equals(toArray(), p.toArray()) && Arrays.equals(regionA, p.regionA);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(toArray()) + Arrays.hashCode(regionA);
  }

  private double[] toArray() {
    return new double[] {
      bigA, bigB, a, b, v0, nuMax, r, j, a1, a2, a3, a4, pMin, pMax, mu, noiseNsig
    };
  }

  @Override
  public String toString() {
    return "JansenRitParameters{A="
        + (regionA == null ? Double.toString(bigA) : "per-region[" + regionA.length + "]")
        + ", B="
        + bigB
        + ", a="
        + a
        + ", b="
        + b
        + ", v0="
        + v0
        + ", nu_max="
        + nuMax
        + ", r="
        + r
        + ", J="
        + j
        + ", a_1..a_4="
        + a1
        + "/"
        + a2
        + "/"
        + a3
        + "/"
        + a4
        + ", p_min="
        + pMin
        + ", p_max="
        + pMax
        + ", mu="
        + mu
        + ", nsig="
        + noiseNsig
        + "}";
  }

  /** Mutable holder used only while building; starts at TVB's defaults. */
  private static final class Builder {
    double bigA = 3.25;
    double[] regionA;
    double bigB = 22.0;
    double a = 0.1;
    double b = 0.05;
    double v0 = 5.52;
    double nuMax = 0.0025;
    double r = 0.56;
    double j = 135.0;
    double a1 = 1.0;
    double a2 = 0.8;
    double a3 = 0.25;
    double a4 = 0.25;
    double pMin = 0.12;
    double pMax = 0.32;
    double mu = 0.22;
    double noiseNsig = 0.0;
  }
}

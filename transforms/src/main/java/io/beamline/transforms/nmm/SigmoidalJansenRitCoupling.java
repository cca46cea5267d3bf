package io.beamline.transforms.nmm;

/**
 * TVB's {@code coupling.SigmoidalJansenRit}: the long-range input to region {@code i} is
 *
 * <pre>
 * c_i = a * sum_j w_ij * (cmin + (cmax - cmin) / (1 + exp(r (midpoint - (y1_j - y2_j)))))
 * </pre>
 *
 * <p>with {@code y1_j - y2_j} taken from source region {@code j} delayed by the conduction delay of
 * the tract {@code j -> i}. TVB defaults: a = 1.0, cmin = 0, cmax = 2 * 0.0025 = 0.005 (1/ms),
 * midpoint = 6.0 mV, r = 0.56 /mV; DeepSIF uses them unchanged ({@code SigmoidalJansenRit(a=1.0)}).
 * Immutable; {@code withX} methods return a new instance.
 */
public final class SigmoidalJansenRitCoupling {

  private final double a;
  private final double cmin;
  private final double cmax;
  private final double midpoint;
  private final double r;

  private SigmoidalJansenRitCoupling(
      double a, double cmin, double cmax, double midpoint, double r) {
    this.a = Checks.finite("coupling a", a);
    this.cmin = Checks.finite("coupling cmin", cmin);
    this.cmax = Checks.finite("coupling cmax", cmax);
    this.midpoint = Checks.finite("coupling midpoint (mV)", midpoint);
    this.r = Checks.positive("coupling r (1/mV)", r);
    if (cmax < cmin) {
      throw new IllegalArgumentException(
          "coupling cmax must be >= cmin, got cmin=" + cmin + ", cmax=" + cmax);
    }
  }

  /** TVB's defaults (a=1.0, cmin=0, cmax=0.005, midpoint=6.0, r=0.56), as DeepSIF uses them. */
  public static SigmoidalJansenRitCoupling tvbDefaults() {
    return new SigmoidalJansenRitCoupling(1.0, 0.0, 2.0 * 0.0025, 6.0, 0.56);
  }

  /** Same coupling with global scaling {@code a} (finite; default 1.0; 0 disconnects regions). */
  public SigmoidalJansenRitCoupling withA(double value) {
    return new SigmoidalJansenRitCoupling(value, cmin, cmax, midpoint, r);
  }

  /** Same coupling with sigmoid range [cmin, cmax] in 1/ms (finite, cmin <= cmax). */
  public SigmoidalJansenRitCoupling withRange(double cminValue, double cmaxValue) {
    return new SigmoidalJansenRitCoupling(a, cminValue, cmaxValue, midpoint, r);
  }

  /** Same coupling with sigmoid midpoint in mV (finite; default 6.0) and steepness r (> 0). */
  public SigmoidalJansenRitCoupling withSigmoid(double midpointValue, double rValue) {
    return new SigmoidalJansenRitCoupling(a, cmin, cmax, midpointValue, rValue);
  }

  /** Global scaling a applied after the weighted sum. */
  public double a() {
    return a;
  }

  /** Sigmoid minimum, 1/ms. */
  public double cmin() {
    return cmin;
  }

  /** Sigmoid maximum, 1/ms. */
  public double cmax() {
    return cmax;
  }

  /** Sigmoid midpoint, mV. */
  public double midpoint() {
    return midpoint;
  }

  /** Sigmoid steepness, 1/mV. */
  public double r() {
    return r;
  }

  /**
   * The pre-summation term for one source region, {@code cmin + (cmax - cmin) / (1 + exp(r
   * (midpoint - y1MinusY2)))}. Uses {@link StrictMath} so results are identical on every machine.
   */
  public double pre(double y1MinusY2) {
    return cmin + (cmax - cmin) / (1.0 + StrictMath.exp(r * (midpoint - y1MinusY2)));
  }

  @Override
  public String toString() {
    return "SigmoidalJansenRit{a="
        + a
        + ", cmin="
        + cmin
        + ", cmax="
        + cmax
        + ", midpoint="
        + midpoint
        + ", r="
        + r
        + "}";
  }
}

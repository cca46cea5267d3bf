package io.beamline.transforms.nmm;

/**
 * A deliberately straightforward Jansen-Rit network simulation: the same equations, coupling,
 * delays, noise draws and stochastic Heun scheme as {@link JansenRitSimulator}, written as a direct
 * transcription of TVB's {@code JansenRit.dfun}, {@code SigmoidalJansenRit} and {@code
 * HeunStochastic.scheme} with {@code double[][]} everywhere.
 *
 * <p>It keeps a full state history, evaluates the coupling sigmoid for every (target, source) pair
 * and sums densely over all N x N weights, zeros included, as TVB's dense {@code Coupling} does,
 * and allocates freely. It exists as a test oracle for the fast kernel and as the baseline of the
 * benchmark; do not use it for production runs (O(N^2) exponentials per step).
 */
public final class NaiveJansenRit implements JansenRitKernel {

  private final JansenRitParameters p;
  private final SigmoidalJansenRitCoupling coupling;
  private final int n;
  private final double dt;
  private final double[][] weights;
  private final int[][] delays;
  private final double[][][] history; // [slot][region][variable]
  private int current;
  private final double[][] state; // [region][variable]
  private final GaussianNoise noise;
  private long produced;

  /**
   * A naive simulator; arguments as {@link JansenRitSimulator#create(JansenRitParameters,
   * SigmoidalJansenRitCoupling, RegionConnectivity, double, long, double[])}.
   */
  public NaiveJansenRit(
      JansenRitParameters parameters,
      SigmoidalJansenRitCoupling coupling,
      RegionConnectivity connectivity,
      double dtMs,
      long seed,
      double[] initialState) {
    this.p = Checks.notNull("parameters", parameters);
    this.coupling = Checks.notNull("coupling", coupling);
    Checks.notNull("connectivity", connectivity);
    this.dt = Checks.positive("dtMs", dtMs);
    if (initialState == null || initialState.length != 6) {
      throw new IllegalArgumentException("initialState must hold y0..y5 (6 values)");
    }
    this.n = connectivity.regionCount();
    p.checkRegionCount(n);
    this.weights = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        weights[i][j] = connectivity.weight(i, j);
      }
    }
    this.delays = connectivity.delaySteps(dtMs);
    int horizon = 0;
    for (int[] row : delays) {
      for (int d : row) {
        horizon = Math.max(horizon, d);
      }
    }
    this.history = new double[horizon + 1][n][];
    this.state = new double[n][];
    for (int i = 0; i < n; i++) {
      state[i] = initialState.clone();
      for (int s = 0; s <= horizon; s++) {
        history[s][i] = initialState.clone();
      }
    }
    this.current = 0;
    this.noise = new GaussianNoise(seed);
  }

  /** A naive simulator starting from the all-zero state. */
  public NaiveJansenRit(
      JansenRitParameters parameters,
      SigmoidalJansenRitCoupling coupling,
      RegionConnectivity connectivity,
      double dtMs,
      long seed) {
    this(parameters, coupling, connectivity, dtMs, seed, new double[6]);
  }

  /**
   * TVB's {@code JansenRit.dfun} for one region: the time derivatives of y0..y5 given the state
   * {@code y} (6 values) and the long-range coupling {@code lrc} (1/ms), without local coupling.
   *
   * @param p parameters
   * @param region region index, selects A
   * @param y state y0..y5
   * @param lrc long-range coupling input
   * @return a new array dy0..dy5 (mV/ms and mV/ms^2)
   */
  public static double[] derivatives(JansenRitParameters p, int region, double[] y, double lrc) {
    double bigA = p.bigA(region);
    double a = p.lowerA();
    double b = p.lowerB();
    double sigmY1Y2 = 2.0 * p.nuMax() / (1.0 + StrictMath.exp(p.r() * (p.v0() - (y[1] - y[2]))));
    double sigmY01 =
        2.0 * p.nuMax() / (1.0 + StrictMath.exp(p.r() * (p.v0() - (p.a1() * p.bigJ() * y[0]))));
    double sigmY03 =
        2.0 * p.nuMax() / (1.0 + StrictMath.exp(p.r() * (p.v0() - (p.a3() * p.bigJ() * y[0]))));
    return new double[] {
      y[3],
      y[4],
      y[5],
      bigA * a * sigmY1Y2 - 2.0 * a * y[3] - a * a * y[0],
      bigA * a * (p.mu() + p.a2() * p.bigJ() * sigmY01 + lrc) - 2.0 * a * y[4] - a * a * y[1],
      p.bigB() * b * (p.a4() * p.bigJ() * sigmY03) - 2.0 * b * y[5] - b * b * y[2]
    };
  }

  @Override
  public int regionCount() {
    return n;
  }

  @Override
  public double dtMs() {
    return dt;
  }

  @Override
  public long samplesProduced() {
    return produced;
  }

  @Override
  public double[][] state() {
    double[][] copy = new double[n][];
    for (int i = 0; i < n; i++) {
      copy[i] = state[i].clone();
    }
    return copy;
  }

  @Override
  public void run(long samples, int blockLength, SampleBlockConsumer consumer) {
    if (samples < 0) {
      throw new IllegalArgumentException("samples must be >= 0, got " + samples);
    }
    Checks.inRange("blockLength", blockLength, 1, Integer.MAX_VALUE);
    Checks.notNull("consumer", consumer);
    long done = 0;
    while (done < samples) {
      int length = (int) Math.min(blockLength, samples - done);
      float[][] block = new float[n][length];
      for (int t = 0; t < length; t++) {
        step();
        for (int i = 0; i < n; i++) {
          block[i][t] = (float) (state[i][1] - state[i][2]);
        }
      }
      consumer.accept(produced - length, length, block);
      done += length;
    }
  }

  private void step() {
    int horizon = history.length;
    // Coupling: c_i = a * sum_j w_ij * pre(y1_j(t - d_ij) - y2_j(t - d_ij)), dense over all j.
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = 0.0;
      for (int j = 0; j < n; j++) {
        double[] delayed = history[((current - delays[i][j]) % horizon + horizon) % horizon][j];
        sum += weights[i][j] * coupling.pre(delayed[1] - delayed[2]);
      }
      c[i] = coupling.a() * sum;
    }
    // Additive noise: sqrt(dt) * N(0,1) * sqrt(2 nsig), non-zero on y4 only.
    double[][] dW = new double[n][6];
    for (int i = 0; i < n; i++) {
      dW[i][4] = StrictMath.sqrt(dt) * noise.next() * StrictMath.sqrt(2.0 * p.noiseNsig());
    }
    double[][] next = new double[n][6];
    for (int i = 0; i < n; i++) {
      double[] x = state[i];
      double[] dX0 = derivatives(p, i, x, c[i]);
      double[] inter = new double[6];
      for (int k = 0; k < 6; k++) {
        inter[k] = x[k] + dt * dX0[k] + dW[i][k];
      }
      double[] dX1 = derivatives(p, i, inter, c[i]);
      for (int k = 0; k < 6; k++) {
        next[i][k] = x[k] + 0.5 * dt * (dX0[k] + dX1[k]) + dW[i][k];
      }
    }
    current = (current + 1) % horizon;
    for (int i = 0; i < n; i++) {
      state[i] = next[i];
      history[current][i] = next[i].clone();
    }
    produced++;
  }
}

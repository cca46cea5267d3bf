package io.beamline.transforms.nmm;

/**
 * The fast Jansen-Rit network kernel: TVB's {@code JansenRit} model, {@code SigmoidalJansenRit}
 * long-range coupling with conduction delays, and TVB's stochastic Heun scheme with additive noise
 * on y4 only.
 *
 * <p>One step from state {@code X} (all regions) with coupling {@code c} fixed for the step:
 *
 * <pre>
 * n      = sqrt(dt) * z * sqrt(2 nsig)   on y4, 0 elsewhere; z ~ N(0,1), one per region per step
 * inter  = X + dt * f(X, c) + n
 * X_next = X + 0.5 dt * (f(X, c) + f(inter, c)) + n
 * </pre>
 *
 * <p>{@code c_i} uses {@code y1_j - y2_j} of step {@code t - d_ij}, where {@code t} is the current
 * state and {@code d_ij} the delay in steps (0 = the current state), as TVB's history does. Before
 * the start the history holds the initial state. The output sample after each step is {@code y1 -
 * y2} as float32, so with the default dt of 0.5 ms the output rate is 2 kHz.
 *
 * <p>Why it is fast: state is flattened into one primitive array per variable; the whole Heun step
 * of a region depends only on that region and its (fixed) coupling, so it runs in registers; the
 * sigmoid of each region's {@code y1 - y2} is computed once when the state enters the delay ring
 * buffer, not once per connection; coupling walks a compressed sparse row list of the non-zero
 * weights; nothing is allocated per step. Noise variates are drawn one per region per step in
 * region order from {@link GaussianNoise}, and all transcendental functions use {@link StrictMath},
 * so a seed gives bit-identical output on every machine. Not thread-safe.
 *
 * <pre>{@code
 * JansenRitKernel sim = JansenRitSimulator.create(
 *     JansenRitParameters.deepSif(76, 12, 0), SigmoidalJansenRitCoupling.tvbDefaults(),
 *     connectivity, JansenRitSimulator.DEFAULT_DT_MS, 42L);
 * sim.run(20_000, 2_000, (first, length, block) -> write(first, length, block)); // 10 s
 * }</pre>
 */
public final class JansenRitSimulator implements JansenRitKernel {

  /** DeepSIF's integration step, ms (2 kHz output). */
  public static final double DEFAULT_DT_MS = 0.5;

  private final int n;
  private final double dt;
  private final double halfDt;
  private final double noiseSqrtDt;
  private final double noiseGain;

  // Model constants, grouped as TVB's expressions group them so NaiveJansenRit matches bit for bit.
  private final double[] aTimesA; // A_i * a per region
  private final double twoA;
  private final double aSquared;
  private final double bTimesB;
  private final double twoB;
  private final double bSquared;
  private final double twoNuMax;
  private final double r;
  private final double v0;
  private final double a1J;
  private final double a2J;
  private final double a3J;
  private final double a4J;
  private final double mu;

  private final SigmoidalJansenRitCoupling coupling;
  private final double couplingScale;

  // Non-zero weights, compressed sparse rows by target region.
  private final int[] rowStart;
  private final int[] column;
  private final int[] delay;
  private final double[] weight;

  // Ring buffer of the coupling sigmoid of each region's y1 - y2: ring[slot * n + region].
  // Its length is maxDelay + 2 so the slot being written in a step is never read in that step.
  private final int ringLength;
  private final double[] ring;
  private int slot;

  private final double[] y0;
  private final double[] y1;
  private final double[] y2;
  private final double[] y3;
  private final double[] y4;
  private final double[] y5;

  private final GaussianNoise noise;
  private long produced;

  private JansenRitSimulator(
      JansenRitParameters p,
      SigmoidalJansenRitCoupling coupling,
      RegionConnectivity connectivity,
      double dtMs,
      long seed,
      double[] initialState) {
    Checks.notNull("parameters", p);
    Checks.notNull("coupling", coupling);
    Checks.notNull("connectivity", connectivity);
    Checks.positive("dtMs", dtMs);
    Checks.notNull("initialState", initialState);
    if (initialState.length != 6) {
      throw new IllegalArgumentException(
          "initialState must hold y0..y5 (6 values), got " + initialState.length);
    }
    for (int k = 0; k < 6; k++) {
      Checks.finite("initialState[" + k + "]", initialState[k]);
    }
    this.n = connectivity.regionCount();
    p.checkRegionCount(n);
    this.dt = dtMs;
    this.halfDt = 0.5 * dtMs;
    this.noiseSqrtDt = StrictMath.sqrt(dtMs);
    this.noiseGain = StrictMath.sqrt(2.0 * p.noiseNsig());

    this.aTimesA = new double[n];
    for (int i = 0; i < n; i++) {
      aTimesA[i] = p.bigA(i) * p.lowerA();
    }
    this.twoA = 2.0 * p.lowerA();
    this.aSquared = p.lowerA() * p.lowerA();
    this.bTimesB = p.bigB() * p.lowerB();
    this.twoB = 2.0 * p.lowerB();
    this.bSquared = p.lowerB() * p.lowerB();
    this.twoNuMax = 2.0 * p.nuMax();
    this.r = p.r();
    this.v0 = p.v0();
    this.a1J = p.a1() * p.bigJ();
    this.a2J = p.a2() * p.bigJ();
    this.a3J = p.a3() * p.bigJ();
    this.a4J = p.a4() * p.bigJ();
    this.mu = p.mu();
    this.coupling = coupling;
    this.couplingScale = coupling.a();

    int[][] delays = connectivity.delaySteps(dtMs);
    int nnz = connectivity.nonZeroCount();
    this.rowStart = new int[n + 1];
    this.column = new int[nnz];
    this.delay = new int[nnz];
    this.weight = new double[nnz];
    int k = 0;
    int maxDelay = 0;
    for (int i = 0; i < n; i++) {
      rowStart[i] = k;
      for (int j = 0; j < n; j++) {
        double w = connectivity.weight(i, j);
        if (w != 0.0) { // zero weights contribute exactly nothing: skip them
          column[k] = j;
          delay[k] = delays[i][j];
          weight[k] = w;
          maxDelay = Math.max(maxDelay, delays[i][j]);
          k++;
        }
      }
    }
    rowStart[n] = k;
    this.ringLength = maxDelay + 2;
    long ringSize = (long) ringLength * n;
    if (ringSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "delay history of " + ringLength + " steps x " + n + " regions is too large");
    }
    this.ring = new double[(int) ringSize];

    this.y0 = filled(n, initialState[0]);
    this.y1 = filled(n, initialState[1]);
    this.y2 = filled(n, initialState[2]);
    this.y3 = filled(n, initialState[3]);
    this.y4 = filled(n, initialState[4]);
    this.y5 = filled(n, initialState[5]);
    // TVB fills the history with the initial state: every slot holds its coupling sigmoid.
    double pre0 = coupling.pre(initialState[1] - initialState[2]);
    java.util.Arrays.fill(ring, pre0);
    this.slot = 0;
    this.noise = new GaussianNoise(seed);
  }

  /**
   * A simulator starting from the all-zero state (the first 1000 samples are the transient DeepSIF
   * discards).
   *
   * @param parameters model parameters; a per-region A must have {@code regionCount} entries
   * @param coupling long-range coupling
   * @param connectivity weights, tract lengths and speed
   * @param dtMs integration step and output interval, ms, > 0 (DeepSIF: {@value #DEFAULT_DT_MS})
   * @param seed noise seed; the same seed gives bit-identical output
   */
  public static JansenRitSimulator create(
      JansenRitParameters parameters,
      SigmoidalJansenRitCoupling coupling,
      RegionConnectivity connectivity,
      double dtMs,
      long seed) {
    return create(parameters, coupling, connectivity, dtMs, seed, new double[6]);
  }

  /**
   * As {@link #create(JansenRitParameters, SigmoidalJansenRitCoupling, RegionConnectivity, double,
   * long)}, starting every region (and the delay history) from {@code initialState} = {y0..y5} in
   * mV and mV/ms, 6 finite values.
   */
  public static JansenRitSimulator create(
      JansenRitParameters parameters,
      SigmoidalJansenRitCoupling coupling,
      RegionConnectivity connectivity,
      double dtMs,
      long seed,
      double[] initialState) {
    return new JansenRitSimulator(
        parameters, coupling, connectivity, dtMs, seed, initialState.clone());
  }

  private static double[] filled(int length, double value) {
    double[] a = new double[length];
    java.util.Arrays.fill(a, value);
    return a;
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

  /** Number of delay-history steps kept (largest non-zero-weight delay + 2). */
  public int historyLength() {
    return ringLength;
  }

  @Override
  public double[][] state() {
    double[][] s = new double[n][];
    for (int i = 0; i < n; i++) {
      s[i] = new double[] {y0[i], y1[i], y2[i], y3[i], y4[i], y5[i]};
    }
    return s;
  }

  @Override
  public void run(long samples, int blockLength, SampleBlockConsumer consumer) {
    if (samples < 0) {
      throw new IllegalArgumentException("samples must be >= 0, got " + samples);
    }
    Checks.inRange("blockLength", blockLength, 1, Integer.MAX_VALUE);
    Checks.notNull("consumer", consumer);
    int rows = (int) Math.min(blockLength, Math.max(samples, 1));
    float[][] block = new float[n][rows];
    long done = 0;
    while (done < samples) {
      int length = (int) Math.min(rows, samples - done);
      for (int t = 0; t < length; t++) {
        step(block, t);
      }
      consumer.accept(produced - length, length, block);
      done += length;
    }
  }

  /** One Heun step for every region; writes y1 - y2 of the new state into {@code out[.][t]}. */
  private void step(float[][] out, int t) {
    final int cur = slot;
    final int next = cur + 1 == ringLength ? 0 : cur + 1;
    final int nextBase = next * n;
    final double[] h = ring;
    for (int i = 0; i < n; i++) {
      // Long-range coupling from the delayed history; fixed for both Heun stages (as TVB).
      double sum = 0.0;
      for (int k = rowStart[i], end = rowStart[i + 1]; k < end; k++) {
        int s = cur - delay[k];
        if (s < 0) {
          s += ringLength;
        }
        sum += weight[k] * h[s * n + column[k]];
      }
      final double c = couplingScale * sum;
      final double dW = noiseSqrtDt * noise.next() * noiseGain;
      final double aA = aTimesA[i];

      final double x0 = y0[i];
      final double x1 = y1[i];
      final double x2 = y2[i];
      final double x3 = y3[i];
      final double x4 = y4[i];
      final double x5 = y5[i];

      // Stage 1: derivatives at X.
      double s12 = twoNuMax / (1.0 + StrictMath.exp(r * (v0 - (x1 - x2))));
      double s01 = twoNuMax / (1.0 + StrictMath.exp(r * (v0 - a1J * x0)));
      double s03 = twoNuMax / (1.0 + StrictMath.exp(r * (v0 - a3J * x0)));
      final double d0 = x3;
      final double d1 = x4;
      final double d2 = x5;
      final double d3 = aA * s12 - twoA * x3 - aSquared * x0;
      final double d4 = aA * (mu + a2J * s01 + c) - twoA * x4 - aSquared * x1;
      final double d5 = bTimesB * (a4J * s03) - twoB * x5 - bSquared * x2;

      // Euler predictor.
      final double i0 = x0 + dt * d0;
      final double i1 = x1 + dt * d1;
      final double i2 = x2 + dt * d2;
      final double i3 = x3 + dt * d3;
      final double i4 = x4 + dt * d4 + dW;
      final double i5 = x5 + dt * d5;

      // Stage 2: derivatives at the predictor.
      s12 = twoNuMax / (1.0 + StrictMath.exp(r * (v0 - (i1 - i2))));
      s01 = twoNuMax / (1.0 + StrictMath.exp(r * (v0 - a1J * i0)));
      s03 = twoNuMax / (1.0 + StrictMath.exp(r * (v0 - a3J * i0)));
      final double e3 = aA * s12 - twoA * i3 - aSquared * i0;
      final double e4 = aA * (mu + a2J * s01 + c) - twoA * i4 - aSquared * i1;
      final double e5 = bTimesB * (a4J * s03) - twoB * i5 - bSquared * i2;

      final double n1 = x1 + halfDt * (d1 + i4);
      final double n2 = x2 + halfDt * (d2 + i5);
      y0[i] = x0 + halfDt * (d0 + i3);
      y1[i] = n1;
      y2[i] = n2;
      y3[i] = x3 + halfDt * (d3 + e3);
      y4[i] = x4 + halfDt * (d4 + e4) + dW;
      y5[i] = x5 + halfDt * (d5 + e5);

      final double psp = n1 - n2;
      h[nextBase + i] = coupling.pre(psp);
      out[i][t] = (float) psp;
    }
    slot = next;
    produced++;
  }
}

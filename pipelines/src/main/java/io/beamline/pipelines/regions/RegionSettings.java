package io.beamline.pipelines.regions;

import io.beamline.transforms.nmm.JansenRitParameters;
import io.beamline.transforms.nmm.RegionConnectivity;
import io.beamline.transforms.nmm.SigmoidalJansenRitCoupling;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one region's work needs, as plain serialisable values: the anatomy arrays (loaded or
 * generated once, in the driver) and the simulation and spike-processing parameters taken from the
 * options. It travels inside the region DoFn to every worker, so no worker re-reads anatomy files.
 *
 * <p>The numeric parameter objects of the kernels ({@link JansenRitParameters}, {@link
 * RegionConnectivity}) are not serialisable; they are rebuilt from these values on the worker.
 */
final class RegionSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code weights[target][source]}, N x N. */
  final double[][] weights;

  /** Tract lengths in mm, N x N. */
  final double[][] tractLengthsMm;

  /** {@code leadfield[channel][region]}, C x N. */
  final double[][] leadfield;

  /** Region labels, N (for the summary). */
  final String[] labels;

  /** Region centres, N x 3, mm (to grow source patches). */
  final double[][] centres;

  /** Region distances, N x N, mm (magnitude fall-off in source patches). */
  final double[][] distances;

  final double conductionSpeed;
  final double couplingA;
  final double dtMs;
  final double segmentMs;
  final int segments;
  final int[] iterations;
  final double sourceA;
  final double targetSnrDb;
  final long seed;
  final boolean keepRaw;

  /** Absolute output directory (DeepSIF's {@code source/} folder). */
  final String root;

  /** DeepSIF's {@code filename}: spikes go to {@code nmm_<filename>/}. */
  final String filename;

  RegionSettings(
      double[][] weights,
      double[][] tractLengthsMm,
      double[][] leadfield,
      String[] labels,
      double[][] centres,
      double[][] distances,
      double conductionSpeed,
      double couplingA,
      double dtMs,
      double segmentMs,
      int segments,
      int[] iterations,
      double sourceA,
      double targetSnrDb,
      long seed,
      boolean keepRaw,
      String root,
      String filename) {
    this.weights = weights;
    this.tractLengthsMm = tractLengthsMm;
    this.leadfield = leadfield;
    this.labels = labels;
    this.centres = centres;
    this.distances = distances;
    this.conductionSpeed = conductionSpeed;
    this.couplingA = couplingA;
    this.dtMs = dtMs;
    this.segmentMs = segmentMs;
    this.segments = segments;
    this.iterations = iterations.clone();
    this.sourceA = sourceA;
    this.targetSnrDb = targetSnrDb;
    this.seed = seed;
    this.keepRaw = keepRaw;
    this.root = root;
    this.filename = filename;
  }

  /** DeepSIF's spike folder, {@code nmm_<filename>}. */
  String spikeFolder() {
    return "nmm_" + filename;
  }

  /**
   * A SHA-256 over everything that decides a region's files: the connectivity and leadfield arrays,
   * the simulation and spike parameters, the seed and {@code --keep-raw}. A region committed with
   * another fingerprint was made with other settings and is done again, never reused. Labels,
   * centres and distances are left out: they shape the synthetic sources only.
   */
  String fingerprint() {
    MessageDigest d = sha256();
    update(d, "beamline-regions-1");
    update(d, weights);
    update(d, tractLengthsMm);
    update(d, leadfield);
    update(
        d,
        conductionSpeed,
        couplingA,
        dtMs,
        segmentMs,
        segments,
        sourceA,
        targetSnrDb,
        seed,
        keepRaw ? 1 : 0);
    for (int m : iterations) {
      update(d, m);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** The settings of {@link #fingerprint} by name, for the commit record (arrays by digest). */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("regions", regions());
    m.put("channels", channels());
    MessageDigest d = sha256();
    update(d, weights);
    update(d, tractLengthsMm);
    update(d, leadfield);
    m.put("anatomy_sha256", HexFormat.of().formatHex(d.digest()));
    m.put("conduction_speed", conductionSpeed);
    m.put("coupling_a", couplingA);
    m.put("dt_ms", dtMs);
    m.put("segment_ms", segmentMs);
    m.put("segments", segments);
    m.put("iterations", Arrays.stream(iterations).boxed().toList());
    m.put("source_a", sourceA);
    m.put("target_snr_db", targetSnrDb);
    m.put("seed", seed);
    m.put("keep_raw", keepRaw);
    return m;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  static void update(MessageDigest d, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    update(d, b.length);
    d.update(b);
  }

  static void update(MessageDigest d, double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length + 4);
    b.putInt(values.length);
    for (double v : values) {
      b.putDouble(v);
    }
    d.update(b.array());
  }

  static void update(MessageDigest d, double[][] m) {
    update(d, m.length);
    for (double[] row : m) {
      update(d, row);
    }
  }

  /** Number of regions N. */
  int regions() {
    return weights.length;
  }

  /** Number of channels C. */
  int channels() {
    return leadfield.length;
  }

  /** Integration steps (= 2 kHz samples at dt 0.5 ms) per segment. */
  long samplesPerSegment() {
    return Math.round(segmentMs / dtMs);
  }

  /**
   * DeepSIF's parameters for {@code region} and background pair {@code iteration}, with the source
   * region's A set to {@link #sourceA}.
   */
  JansenRitParameters parameters(int region, int iteration) {
    JansenRitParameters p = JansenRitParameters.deepSif(regions(), region, iteration);
    if (sourceA != JansenRitParameters.DEEPSIF_SOURCE_A) {
      double[] perRegion = new double[regions()];
      Arrays.fill(perRegion, JansenRitParameters.DEEPSIF_BACKGROUND_A);
      perRegion[region] = sourceA;
      p = p.withRegionA(perRegion);
    }
    return p;
  }

  SigmoidalJansenRitCoupling coupling() {
    return SigmoidalJansenRitCoupling.tvbDefaults().withA(couplingA);
  }

  RegionConnectivity connectivity() {
    return RegionConnectivity.of(weights, tractLengthsMm, conductionSpeed);
  }

  /**
   * The noise seed of one simulation: a SplitMix64 mix of the run seed, the region and the
   * iteration, so every (region, iteration) has its own stream whatever worker or batch runs it.
   */
  long simulationSeed(int region, int iteration) {
    long z = seed + 0x9E3779B97F4A7C15L * (1 + region * 8L + iteration);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

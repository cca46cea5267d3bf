package io.beamline.pipelines.regions;

import io.beamline.io.mat.MatFileException;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import io.beamline.transforms.nmm.JansenRitParameters;
import io.beamline.transforms.nmm.JansenRitSimulator;
import io.beamline.transforms.nmm.RegionSimulation;
import io.beamline.transforms.nmm.SpikeClips;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One region's whole job, fused so no raw trace touches the disk: for each DeepSIF iteration
 * (background mean / noise pair), simulate the network with the region's excitability raised, drop
 * the transient and downsample to 500 Hz while the samples stream out of the kernel, find and scale
 * the region's spikes, and write {@code nmm_<k>.mat} clips and the {@code clip_info} marker (file
 * layout: {@link RegionsOutput}). The numbers come from the kernels in {@code transforms} ({@link
 * RegionSimulation}, {@link SpikeClips}); this class is their files. The {@link SimulateRegions}
 * module stages the outputs ({@link Outputs}), calls it and commits the region.
 *
 * <p>Clip numbers continue across iterations, as DeepSIF's {@code previous_iter_spike_num} does.
 * Whether a region is done is decided by its commit record, not by the markers: {@link #process}
 * writes to the staged paths it is given, and nothing of it counts until the caller commits them.
 */
final class RegionWork {
  /** Samples per block handed out by the kernel when raw traces are not kept. */
  private static final int BLOCK = 4096;

  private final RegionSettings settings;
  private final SimulationConfig s;
  private final RegionsOutput files;
  private final PrintStream progress;
  private final RegionProgress status;

  RegionWork(RegionSettings settings, PrintStream progress) {
    this(settings, progress, null);
  }

  /**
   * @param progress where the seed-style step banners go, or null
   * @param status where the one-line step status goes, or null
   */
  RegionWork(RegionSettings settings, PrintStream progress, RegionProgress status) {
    this.settings = settings;
    this.s = settings.simulation();
    this.files = settings.output();
    this.progress = progress;
    this.status = status;
  }

  /** One clip written: a row of the {@code spike_clips} table. */
  record Clip(
      int region,
      int iteration,
      int clip,
      int spikeTime,
      int clipStart,
      double alpha,
      String file) {}

  /** What {@link #process} wrote for a region. */
  record Result(int region, int[] spikesPerIteration, List<Clip> clips) {
    int spikes() {
      int n = 0;
      for (int c : spikesPerIteration) {
        n += c;
      }
      return n;
    }
  }

  /**
   * Where {@link #process} writes one region's files: the staged stand-ins of {@code
   * nmm_<f>/a<r>/}, of each iteration's {@code clip_info} marker and (with {@code --keep-raw}) of
   * {@code raw_nmm/a<r>/}.
   *
   * @param regionDir the clip folder
   * @param markers iteration to marker file
   * @param rawDir the raw trace folder, or null when raw traces are not kept
   */
  record Outputs(Path regionDir, Map<Integer, Path> markers, Path rawDir) {
    /** The final paths themselves (tests, and tools that write without committing). */
    static Outputs inPlace(RegionWork work, int region) {
      RegionsOutput files = work.files;
      Map<Integer, Path> markers = new LinkedHashMap<>();
      for (int m : work.s.iterations()) {
        markers.put(m, files.clipInfo(m, region));
      }
      return new Outputs(
          files.regionDir(region), markers, work.s.keepRaw() ? files.rawDir(region) : null);
    }
  }

  /**
   * Simulates {@code region} and writes its clips, markers and raw traces to {@code out}.
   *
   * @throws Exception anything that goes wrong; the caller turns it into a failure record
   */
  Result process(int region, Outputs out) throws Exception {
    int regions = settings.anatomy().regions();
    if (region < 0 || region >= regions) {
      throw new IllegalArgumentException(
          "region "
              + region
              + " is outside the connectivity's "
              + regions
              + " regions (0.."
              + (regions - 1)
              + "); lower --end-region");
    }
    Files.createDirectories(out.regionDir());
    int[] iterations = s.iterations();
    int[] perIteration = new int[iterations.length];
    List<Clip> clips = new ArrayList<>();
    int previous = 0;
    for (int i = 0; i < iterations.length; i++) {
      int m = iterations[i];
      step("Simulating region " + region + ", iteration " + m + " and extracting spikes");
      long stepStart = System.nanoTime();
      float[][] nmm = simulate(region, m, out.rawDir());
      requireFinite(nmm, region, m);
      SpikeClips.SourceClips found =
          SpikeClips.extract(nmm, settings.anatomy().leadfield, region, s.targetSnrDb());
      int[] times = found.spikeTimes();
      float[][][] data = found.clips();
      for (int j = 0; j < times.length; j++) {
        int k = previous + j + 1;
        MatWriter.create()
            .withSingle("data", timeByRegion(data[j]))
            .write(out.regionDir().resolve("nmm_" + k + ".mat"));
        clips.add(
            new Clip(
                region,
                m,
                k,
                times[j] + 1,
                SpikeClips.clipStart(times[j]) + 1,
                found.alpha(),
                files.rootDir().relativize(files.clipFile(region, k)).toString()));
      }
      previous += times.length;
      perIteration[i] = times.length;
      double[] oneBased = new double[times.length];
      for (int j = 0; j < times.length; j++) {
        oneBased[j] = times[j] + 1;
      }
      MatWriter.create()
          .withScalar("num_spike", previous)
          .withDouble("spike_time", MatMatrix.of(1, times.length, oneBased))
          .withScalar("alpha", found.alpha())
          .write(out.markers().get(m));
      done("Iteration " + m + " of region " + region + ": " + times.length + " spike clips");
      if (status != null) {
        status.step(
            region,
            m,
            s.segments() * s.segmentMs() / 1000.0,
            times.length,
            (System.nanoTime() - stepStart) / 1e9);
      }
    }
    return new Result(region, perIteration, clips);
  }

  /**
   * The clip rows of a committed region, read back from the {@code clip_info} markers of {@code
   * iterations} (those its record lists) under their final names.
   */
  List<Clip> committedClips(int region, List<Integer> iterations) throws MatFileException {
    List<Clip> clips = new ArrayList<>();
    for (int m : iterations) {
      try (MatReader r = MatReader.open(files.clipInfo(m, region))) {
        int cumulative = (int) r.matrix("num_spike").getFlat(0);
        MatMatrix times = r.matrix("spike_time");
        double alpha = r.has("alpha") ? r.matrix("alpha").getFlat(0) : Double.NaN;
        int first = cumulative - times.size();
        for (int j = 0; j < times.size(); j++) {
          int t = (int) times.getFlat(j);
          clips.add(
              new Clip(
                  region,
                  m,
                  first + j + 1,
                  t,
                  SpikeClips.clipStart(t - 1) + 1,
                  alpha,
                  files.rootDir().relativize(files.clipFile(region, first + j + 1)).toString()));
        }
      }
    }
    return clips;
  }

  /**
   * A network that blows up (weights or gains far too large) gives NaN or infinite traces; its
   * clips would be garbage under final names, so the region fails instead, naming the likely cause.
   */
  private static void requireFinite(float[][] nmm, int region, int iteration) {
    for (float[] row : nmm) {
      for (float v : row) {
        if (!Float.isFinite(v)) {
          throw new IllegalStateException(
              "the simulation of region "
                  + region
                  + ", iteration "
                  + iteration
                  + " diverged (NaN or infinite values); check the connectivity's weights and"
                  + " tract lengths for huge values, and --coupling-a, --source-a, --dt-ms");
        }
      }
    }
  }

  /**
   * Simulates {@code segments x segmentMs} of the network for one iteration and returns the 500 Hz
   * signal after DeepSIF's drop of the first 1000 samples: {@code [region][sample]} ({@link
   * RegionSimulation#run}). Segments are one continuous trajectory (DeepSIF concatenates its
   * segment files before processing); with {@code rawDir}, each segment's 2 kHz trace is written
   * there.
   */
  float[][] simulate(int region, int iteration, Path rawDir) throws MatFileException {
    int n = settings.anatomy().regions();
    JansenRitParameters p = RegionSimulation.parameters(n, region, iteration, s.sourceA());
    JansenRitSimulator sim =
        JansenRitSimulator.create(
            p,
            s.coupling(),
            s.connectivity(settings.anatomy()),
            s.dtMs(),
            RegionSimulation.noiseSeed(s.seed(), region, iteration));
    long perSegment = s.samplesPerSegment();
    long total = perSegment * s.segments();
    int drop = SpikeClips.DEEPSIF_DROP_SAMPLES;
    if (total <= drop) {
      throw new IllegalArgumentException(
          "simulation of "
              + total
              + " samples is not longer than the "
              + drop
              + "-sample transient DeepSIF drops; raise --segment-ms or --segments");
    }
    // A raw file per segment needs blocks of one segment; otherwise small blocks keep memory low.
    int block = rawDir != null ? (int) Math.min(perSegment, Integer.MAX_VALUE - 8) : BLOCK;
    MatFileException[] rawError = new MatFileException[1];
    float[][] out =
        RegionSimulation.run(
            sim,
            n,
            total,
            block,
            rawDir == null
                ? null
                : (first, length, b) -> {
                  if (rawError[0] == null) {
                    try {
                      writeRaw(
                          rawDir,
                          region,
                          iteration,
                          (int) (first / perSegment),
                          first,
                          length,
                          b,
                          p);
                    } catch (MatFileException e) {
                      rawError[0] = e;
                    }
                  }
                });
    if (rawError[0] != null) {
      throw rawError[0];
    }
    return out;
  }

  private void writeRaw(
      Path rawDir,
      int region,
      int iteration,
      int segment,
      long first,
      int length,
      float[][] block,
      JansenRitParameters p)
      throws MatFileException {
    int n = settings.anatomy().regions();
    double[] data = new double[length * n];
    double[] time = new double[length];
    for (int t = 0; t < length; t++) {
      time[t] = (first + t + 1) * s.dtMs();
      for (int r = 0; r < n; r++) {
        data[t * n + r] = block[r][t];
      }
    }
    double[] a = new double[n];
    for (int r = 0; r < n; r++) {
      a[r] = p.bigA(r);
    }
    MatWriter.create()
        .withDouble("time", MatMatrix.of(1, length, time))
        .withSingle("data", MatMatrix.of(length, n, data))
        .withDouble("A", MatMatrix.of(1, n, a))
        .write(
            rawDir.resolve(
                "mean_iter_" + iteration + "_a_iter_" + region + "_" + segment + ".mat"));
  }

  /** {@code [region][500]} to a 500 x N matrix (MATLAB's time x region layout). */
  static MatMatrix timeByRegion(float[][] clip) {
    int n = clip.length;
    int length = clip[0].length;
    double[] rowMajor = new double[length * n];
    for (int r = 0; r < n; r++) {
      for (int t = 0; t < length; t++) {
        rowMajor[t * n + r] = clip[r][t];
      }
    }
    return MatMatrix.of(length, n, rowMajor);
  }

  private void step(String what) {
    if (progress != null) {
      String bar = "=".repeat(80);
      progress.println(bar + "\n" + what + "\n" + bar);
    }
  }

  private void done(String what) {
    if (progress != null) {
      progress.println("\u2713 " + what);
    }
  }
}

package io.beamline.pipelines.regions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.bench.BenchRow;
import io.beamline.transforms.nmm.JansenRitSimulator;
import io.beamline.transforms.nmm.RegionSimulation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Throughput of the whole {@code regions} pipeline (DirectRunner, one worker thread: simulation
 * fused with spike extraction, clip and clip_info MAT files, Parquet tables, run record) against
 * the bare fast kernel on the same network, parameters and seeds, in the same JVM. Reports
 * simulated seconds per wall second per region for both and their ratio. Not a test: run it with
 * {@code bench/regions.sh}; performance is never asserted.
 *
 * <p>Arguments: {@code regions:simulated_s[:count[:rounds]]} per case (default {@code 76:20:2
 * 998:4:1}): the synthetic anatomy's size, the simulated seconds per region (one iteration, two
 * segments), how many regions the pipeline runs and how many measured rounds (default 1) follow the
 * warm-up; the report and the {@link BenchRow} give the medians.
 */
public final class RegionsBench {

  private RegionsBench() {}

  public static void main(String[] args) throws Exception {
    String[] cases = args.length > 0 ? args : new String[] {"76:20:2", "998:4:1"};
    System.out.printf(
        Locale.ROOT,
        "java %s, %d cpus; DirectRunner with --targetParallelism=1 vs bare kernel, one thread%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    for (String c : cases) {
      String[] f = c.split(":");
      int regions = Integer.parseInt(f[0]);
      double simulatedS = Double.parseDouble(f[1]);
      int count = f.length > 2 ? Integer.parseInt(f[2]) : 1;
      int rounds = f.length > 3 ? Integer.parseInt(f[3]) : 1;
      measure(regions, simulatedS, count, rounds);
    }
  }

  private static List<String> args(Path out, int regions, double simulatedS, int count) {
    return new ArrayList<>(
        List.of(
            "--outputDir=" + out,
            "--startRegion=0",
            "--endRegion=" + count,
            "--syntheticRegions=" + regions,
            "--syntheticChannels=75",
            "--segmentMs=" + (simulatedS * 1000 / 2),
            "--segments=2",
            "--iterations=0",
            "--seed=7",
            "--targetParallelism=1"));
  }

  private static RegionsOptions options(List<String> a) {
    return PipelineOptionsFactory.fromArgs(a.toArray(new String[0]))
        .withValidation()
        .as(RegionsOptions.class);
  }

  /** Bare kernel: the same simulations the pipeline runs, samples handed to a no-op consumer. */
  private static double kernelSeconds(RegionSettings s, int count) {
    SimulationConfig c = s.simulation();
    int n = s.anatomy().regions();
    long total = c.samplesPerSegment() * c.segments();
    float[] sink = new float[1];
    long t0 = System.nanoTime();
    for (int r = 0; r < count; r++) {
      JansenRitSimulator sim =
          JansenRitSimulator.create(
              RegionSimulation.parameters(n, r, 0, c.sourceA()),
              c.coupling(),
              c.connectivity(s.anatomy()),
              c.dtMs(),
              RegionSimulation.noiseSeed(c.seed(), r, 0));
      sim.run(total, 4096, (first, length, b) -> sink[0] += b[0][length - 1]);
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    if (sink[0] == 42.4242f) {
      System.out.print("");
    }
    return wall;
  }

  /** Runs the pipeline quietly (its banners and progress lines would drown the report). */
  private static RunRecord pipeline(List<String> a) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    System.setOut(quiet);
    System.setErr(quiet);
    try {
      return Runs.run(new RegionsPipeline(), options(a), a);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static void measure(int regions, double simulatedS, int count, int rounds)
      throws Exception {
    Path dir = Files.createTempDirectory("regions-bench-");
    RegionSettings s =
        RegionsConfigs.settings(options(args(dir.resolve("x"), regions, simulatedS, count)));
    // Warm-up (JIT) of both paths on a short run of the same network.
    kernelSeconds(RegionsConfigs.settings(options(args(dir.resolve("warm"), regions, 2, 1))), 1);
    pipeline(args(dir.resolve("warm"), regions, 2, 1));

    double simulated = simulatedS * count;
    double[] kernelRates = new double[rounds];
    double[] regionRates = new double[rounds];
    double[] wallRates = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      Path out = dir.resolve("run-" + round);
      List<String> a = args(out, regions, simulatedS, count);
      // Kernel before and after the pipeline, averaged: the machine's load drifts during a run.
      double before = kernelSeconds(s, count);
      long t0 = System.nanoTime();
      RunRecord r = pipeline(a);
      double wall = (System.nanoTime() - t0) / 1e9;
      double after = kernelSeconds(s, count);
      if (!"succeeded".equals(r.status())) {
        throw new IllegalStateException("pipeline run failed: " + r.error());
      }
      JsonNode summary = new ObjectMapper().readTree(out.resolve("regions_summary.json").toFile());
      double perRegion = 0;
      int spikes = 0;
      for (JsonNode n : summary.get("regions")) {
        perRegion += n.get("seconds").asDouble();
        spikes += n.get("spikes").asInt();
      }
      kernelRates[round] = simulated / ((before + after) / 2);
      regionRates[round] = simulated / perRegion;
      wallRates[round] = simulated / wall;
      System.out.printf(
          Locale.ROOT,
          "regions=%d round %d: %d region(s) x %.0f simulated s, %d spikes; kernel %.2f s before,"
              + " %.2f s after; pipeline %.2f s in the DoFn, %.2f s with startup and writes%n",
          regions,
          round + 1,
          count,
          simulatedS,
          spikes,
          before,
          after,
          perRegion,
          wall);
    }
    double kernelRate = BenchRow.median(kernelRates);
    double regionRate = BenchRow.median(regionRates);
    double wallRate = BenchRow.median(wallRates);
    System.out.printf(
        Locale.ROOT,
        "regions=%d: medians of %d round(s)%n"
            + "  bare kernel        %8.2f simulated s / wall s per region%n"
            + "  pipeline, region   %8.2f simulated s / wall s per region (in the DoFn)"
            + "  ratio %.2f%n"
            + "  pipeline, run      %8.2f simulated s / wall s (with startup and writes)"
            + "  ratio %.2f%n",
        regions,
        rounds,
        kernelRate,
        regionRate,
        regionRate / kernelRate,
        wallRate,
        wallRate / kernelRate);
    BenchRow.emit(
        "regions-pipeline-" + regions,
        "regions: whole pipeline, " + regions + " regions, " + count + " x " + simulatedS + " s",
        "pipeline run",
        "bare kernel",
        "simulated s/wall s",
        wallRates,
        kernelRates);
  }
}

package io.beamline.pipelines.bench;

import io.beamline.framework.backend.DirectTuning;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.bench.BenchRow;
import io.beamline.pipelines.demo.DemoPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The same job on two runners in one JVM: the synthetic {@code demo} pipeline (samples generated,
 * windowed statistics, Parquet tables, run record) with the same options on the SparkRunner ({@code
 * local[2]}) and on the DirectRunner as the command line runs it ({@link DirectTuning}: checks off
 * unless {@code BEAMLINE_DIRECT_CHECKS} is set). Samples per second of the whole run, start-up
 * included (a Spark run starts its own local context). One warm-up run of each, then {@code rounds}
 * alternating runs; the report and the {@link BenchRow} give the medians.
 *
 * <p>Arguments: {@code [sensors=8] [seconds=300] [rateHz=250] [rounds=3]}. Run with {@code
 * bench/runners.sh}. The outputs' equality across runners is checked by {@code DirectVsSparkIT},
 * not here.
 */
public final class RunnersBench {
  private RunnersBench() {}

  public static void main(String[] argv) throws Exception {
    int sensors = argv.length > 0 ? Integer.parseInt(argv[0]) : 8;
    double seconds = argv.length > 1 ? Double.parseDouble(argv[1]) : 300;
    double rateHz = argv.length > 2 ? Double.parseDouble(argv[2]) : 250;
    int rounds = argv.length > 3 ? Integer.parseInt(argv[3]) : 3;
    double samples = sensors * Math.floor(seconds * rateHz);
    Path dir = Files.createTempDirectory("runners-bench");
    double[] spark = new double[rounds + 1];
    double[] direct = new double[rounds + 1];
    for (int r = 0; r <= rounds; r++) {
      direct[r] = samples / run(dir, "DirectRunner", r, sensors, seconds, rateHz);
      spark[r] = samples / run(dir, "SparkRunner", r, sensors, seconds, rateHz);
      System.out.printf(
          Locale.ROOT,
          "%s: DirectRunner %.0f samples/s, SparkRunner local[2] %.0f samples/s%n",
          r == 0 ? "warm-up" : "round " + r,
          direct[r],
          spark[r]);
    }
    double[] sparkRounds = Arrays.copyOfRange(spark, 1, rounds + 1);
    double[] directRounds = Arrays.copyOfRange(direct, 1, rounds + 1);
    System.out.printf(
        Locale.ROOT,
        "demo, %d sensors x %.0f s at %.0f Hz (%.0f samples), %d rounds: SparkRunner local[2]"
            + " %.0f samples/s, DirectRunner %.0f samples/s, ratio Spark/Direct %.3f%n",
        sensors,
        seconds,
        rateHz,
        samples,
        rounds,
        BenchRow.median(sparkRounds),
        BenchRow.median(directRounds),
        BenchRow.median(sparkRounds) / BenchRow.median(directRounds));
    BenchRow.emit(
        "runners-demo",
        String.format(
            Locale.ROOT, "demo, %.0f samples, same job on two runners (whole run)", samples),
        "SparkRunner local[2]",
        "DirectRunner",
        "samples/s",
        sparkRounds,
        directRounds);
    io.beamline.io.files.AtomicFiles.deleteTree(dir);
  }

  /** Runs the demo once on {@code runner}; returns the wall seconds. */
  private static double run(
      Path dir, String runner, int round, int sensors, double seconds, double rateHz) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--outputDir=" + dir.resolve(runner + "-" + round),
                "--runner=" + runner,
                "--sparkMaster=local[2]",
                "--sensors=" + sensors,
                "--seconds=" + seconds,
                "--rateHz=" + rateHz,
                "--seed=7",
                "--numShards=0"));
    DemoPipeline.DemoOptions o =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withoutStrictParsing()
            .as(DemoPipeline.DemoOptions.class);
    DirectTuning.apply(o, args);
    long t0 = System.nanoTime();
    RunRecord r = Runs.run(new DemoPipeline(), o, args);
    double wall = (System.nanoTime() - t0) / 1e9;
    if (!"succeeded".equals(r.status())) {
      throw new IllegalStateException("run on " + runner + " failed: " + r.error());
    }
    return wall;
  }
}

package io.beamline.pipelines.bench;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.audio.WavReader;
import io.beamline.io.bench.BenchRow;
import io.beamline.models.birdcall.BirdCallTrainer;
import io.beamline.pipelines.infer.run.InferRunBenchSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Chunks per second of the whole {@code infer run} pipeline (DirectRunner: manifest, audio reads
 * with SHA-256 checks, batching, inference, artifacts, Parquet, telemetry, summaries) against a
 * bare loop that reads the same chunk files and calls {@code batchPredict} of the same model and
 * batch translator on the same batches, in one JVM, on the CPU. Each side is warmed up once, then
 * measured alternately {@code rounds} times; the ratio of medians is reported.
 *
 * <p>Arguments: {@code [chunks=128] [batchSize=16] [rounds=3]}. Run with {@code
 * bench/infer-run.sh}.
 */
public final class InferRunBench {
  private InferRunBench() {}

  public static void main(String[] args) throws Exception {
    int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path work = Files.createTempDirectory("infer-run-bench");
    Path model = work.resolve("birdcall");
    BirdCallTrainer.train(3L, 8, 2, model);
    Path manifest = InferRunBenchSupport.dataset(work.resolve("data"), chunks);
    List<Path> files = InferRunBenchSupport.chunkFiles(manifest);

    double[] pipe = new double[rounds + 1];
    double[] bare = new double[rounds + 1];
    try (ZooModel<float[][], float[]> zoo = InferRunBenchSupport.load(model);
        Predictor<float[][], float[]> p = zoo.newPredictor()) {
      for (int r = 0; r <= rounds; r++) {
        long t0 = System.nanoTime();
        RunRecord rec =
            Runs.run(
                InferRunBenchSupport.pipeline(),
                InferRunBenchSupport.options(
                    manifest, work.resolve("out-" + r), model, batch, "bench-" + r),
                List.of("bench"));
        if (!"succeeded".equals(rec.status())) {
          throw new IllegalStateException("pipeline run failed: " + rec.error());
        }
        pipe[r] = chunks / ((System.nanoTime() - t0) / 1e9);

        t0 = System.nanoTime();
        int n = 0;
        for (int i = 0; i < files.size(); i += batch) {
          List<float[]> xs = new ArrayList<>();
          for (Path f : files.subList(i, Math.min(files.size(), i + batch))) {
            xs.add(WavReader.read(f).channel(0));
          }
          n += p.predict(xs.toArray(new float[0][])).length;
        }
        if (n != chunks * 4) {
          throw new IllegalStateException("bare loop scored " + n / 4 + " chunks");
        }
        bare[r] = chunks / ((System.nanoTime() - t0) / 1e9);
      }
    }
    double[] pipeRounds = Arrays.copyOfRange(pipe, 1, rounds + 1);
    double[] bareRounds = Arrays.copyOfRange(bare, 1, rounds + 1);
    double mp = BenchRow.median(pipeRounds);
    double mb = BenchRow.median(bareRounds);
    BenchRow.emit(
        "infer-" + chunks,
        "infer run, " + chunks + " chunks, batch " + batch,
        "pipeline",
        "bare DJL loop",
        "chunks/s",
        pipeRounds,
        bareRounds);
    System.out.printf(
        Locale.ROOT,
        "infer run bench: %d chunks, batch %d, %d rounds (after 1 warm-up)%n"
            + "  pipeline (DirectRunner, all outputs): %.2f chunks/s (rounds %s)%n"
            + "  bare read + batchPredict loop:        %.2f chunks/s (rounds %s)%n"
            + "  ratio pipeline/bare: %.3f%n",
        chunks,
        batch,
        rounds,
        mp,
        fmt(pipe),
        mb,
        fmt(bare),
        mp / mb);
  }

  private static String fmt(double[] v) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < v.length; i++) {
      b.append(i > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", v[i]));
    }
    return b.toString();
  }
}

package io.beamline.pipelines.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stub detector, injected failures, dataset roots and the progress line, on their own. */
class InferRunPartsTest {
  private static float[] toneBurst(double hz, int rate) {
    float[] x = new float[rate];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      double burst = i > rate / 3 && i < rate / 2 ? 0.5 * Math.sin(2 * Math.PI * hz * i / rate) : 0;
      x[i] = (float) (burst + 0.001 * (r.nextDouble() - 0.5));
    }
    return x;
  }

  @Test
  void energyDetectorNamesTheBandOfACallAndNoiseForSteadyNoise() {
    int rate = 28_000;
    String[] expected = {"energy_low", "energy_mid", "energy_high"};
    double[] hz = {800, 3500, 8000};
    for (int b = 0; b < 3; b++) {
      float[] s = EnergyDetector.scores(toneBurst(hz[b], rate), rate);
      int best = 0;
      for (int i = 1; i < s.length; i++) {
        best = s[i] > s[best] ? i : best;
      }
      assertEquals(expected[b], EnergyDetector.LABELS.get(best), hz[b] + " Hz");
      double sum = 0;
      for (float v : s) {
        sum += v;
      }
      assertEquals(1.0, sum, 1e-5);
    }
    float[] noise = new float[rate];
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.2 * (r.nextDouble() - 0.5));
    }
    float[] s = EnergyDetector.scores(noise, rate);
    assertTrue(s[0] > 0.7, "steady noise is mostly 'noise': " + s[0]);
  }

  @Test
  void injectedFailuresFollowTheSeedAndTheRate() {
    int hits = 0;
    for (int i = 0; i < 4000; i++) {
      ChunkTask t =
          new ChunkTask(
              "m", i, "r", "c" + i, 0, 1, "a.wav", "/", "", 1 + i % 3, 0, null, List.of());
      boolean a = Attempts.injected(0.25, 7, t);
      assertEquals(a, Attempts.injected(0.25, 7, t), "same seed, same answer");
      hits += a ? 1 : 0;
      assertEquals(false, Attempts.injected(0, 7, t));
      assertEquals(true, Attempts.injected(1, 7, t));
    }
    assertTrue(hits > 900 && hits < 1100, "about a quarter: " + hits);
  }

  /** {@code --workers N}: exactly N worker slots, one per GPU first, the rest on the CPU. */
  @Test
  void workersGivesExactlyNSlots() {
    for (int gpus = 0; gpus <= 4; gpus++) {
      for (int n = 1; n <= 11; n++) {
        InferRunPipeline.Workers w = InferRunPipeline.Workers.total(n, gpus);
        List<io.beamline.models.inference.WorkerSlot> slots =
            io.beamline.models.inference.WorkerSlot.plan(
                w.maxGpus(), w.workersPerGpu(), w.cpuWorkers(), gpus);
        assertEquals(n, slots.size(), n + " workers on " + gpus + " GPUs: " + w);
        long onGpu = slots.stream().filter(io.beamline.models.inference.WorkerSlot::isGpu).count();
        long expected = gpus == 0 ? 0 : n <= gpus ? n : (long) gpus * (n / gpus);
        assertEquals(expected, onGpu, "GPU slots, " + n + " workers on " + gpus + " GPUs");
      }
    }
    assertEquals(new InferRunPipeline.Workers(2, 2, 1), InferRunPipeline.Workers.total(5, 2));
    assertEquals(new InferRunPipeline.Workers(0, 1, 3), InferRunPipeline.Workers.total(3, 0));
    assertEquals(new InferRunPipeline.Workers(2, 1, 0), InferRunPipeline.Workers.total(2, 4));
  }

  @Test
  void datasetRootIsAboveTheManifestsDirectory() {
    assertEquals(Path.of("/d/set"), ChunkManifest.root(Path.of("/d/set/manifests/a.csv"), null));
    assertEquals(Path.of("/d/other"), ChunkManifest.root(Path.of("/d/other/a.csv"), null));
    assertEquals("a.b", ChunkManifest.stem(Path.of("/x/a.b.csv")));
  }

  @Test
  void progressLineShowsCountsAndRate() {
    assertEquals(
        "infer run [###############...............] 5/10 chunks  50% 2.50 chunks/s",
        InferRunPipeline.Progress.line(5, 10, 2.0));
    assertEquals("a_b", InferRunPipeline.safe("a/b"));
    assertEquals("_..", InferRunPipeline.safe(".."));
  }
}

package io.beamline.pipelines.infer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Injected failures, worker slots, dataset roots and the progress line, on their own. */
class InferRunPartsTest {
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
        Workers w = Workers.total(n, gpus);
        List<io.beamline.models.inference.WorkerSlot> slots =
            io.beamline.models.inference.WorkerSlot.plan(
                w.maxGpus(), w.workersPerGpu(), w.cpuWorkers(), gpus);
        assertEquals(n, slots.size(), n + " workers on " + gpus + " GPUs: " + w);
        long onGpu = slots.stream().filter(io.beamline.models.inference.WorkerSlot::isGpu).count();
        long expected = gpus == 0 ? 0 : n <= gpus ? n : (long) gpus * (n / gpus);
        assertEquals(expected, onGpu, "GPU slots, " + n + " workers on " + gpus + " GPUs");
      }
    }
    assertEquals(new Workers(2, 2, 1), Workers.total(5, 2));
    assertEquals(new Workers(0, 1, 3), Workers.total(3, 0));
    assertEquals(new Workers(2, 1, 0), Workers.total(2, 4));
  }

  /** {@code --max-gpus N} beyond the GPUs here: one note; none when the GPUs suffice. */
  @Test
  void maxGpusBeyondThoseHereGivesOneNote() {
    assertEquals(java.util.Optional.empty(), Workers.shortfall(-1, 0));
    assertEquals(java.util.Optional.empty(), Workers.shortfall(0, 0));
    assertEquals(java.util.Optional.empty(), Workers.shortfall(2, 2));
    String none = Workers.shortfall(2, 0).orElseThrow();
    assertTrue(none.startsWith("note: --max-gpus 2, but PyTorch sees no GPU"), none);
    assertTrue(none.contains("runs on the CPU") && !none.contains("\n"), none);
    assertEquals(
        "note: --max-gpus 4, but PyTorch sees 2 GPU(s) on this machine: the model runs on those",
        Workers.shortfall(4, 2).orElseThrow());
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
        io.beamline.framework.run.CommitProgress.line("infer run", "chunks", 5, 10, 2.0));
    assertEquals("a_b", RunPaths.safe("a/b"));
    assertEquals("_..", RunPaths.safe(".."));
  }
}

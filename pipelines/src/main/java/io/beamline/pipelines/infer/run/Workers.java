package io.beamline.pipelines.infer.run;

import ai.djl.engine.Engine;
import io.beamline.models.inference.ModelSpec;
import java.io.Serializable;
import java.util.Optional;

/**
 * The worker slots of a run, for the model's {@link io.beamline.models.inference.InferenceWorker}.
 *
 * @param maxGpus GPUs to use per worker JVM, -1 = all, 0 = none
 * @param workersPerGpu worker slots per GPU, in [1, 64]
 * @param cpuWorkers CPU worker slots besides the GPU ones, in [0, 1024]
 */
record Workers(int maxGpus, int workersPerGpu, int cpuWorkers) implements Serializable {
  Workers {
    if (maxGpus < -1) {
      throw new IllegalArgumentException("maxGpus must be >= -1 (-1 = all), got " + maxGpus);
    }
    if (workersPerGpu < 1 || workersPerGpu > 64) {
      throw new IllegalArgumentException("workersPerGpu must be in [1, 64], got " + workersPerGpu);
    }
    if (cpuWorkers < 0 || cpuWorkers > 1024) {
      throw new IllegalArgumentException("cpuWorkers must be in [0, 1024], got " + cpuWorkers);
    }
  }

  /**
   * {@code --workers N} with {@code gpus} GPUs in use (those present, up to {@code --max-gpus}):
   * exactly N slots, one per GPU first (N below the GPU count uses N GPUs), then as many more per
   * GPU as N allows evenly, the rest on the CPU; all N on the CPU without a GPU.
   */
  static Workers total(int n, int gpus) {
    if (gpus <= 0) {
      return new Workers(0, 1, n);
    }
    if (n <= gpus) {
      return new Workers(n, 1, 0);
    }
    int perGpu = Math.min(64, n / gpus);
    return new Workers(gpus, perGpu, n - gpus * perGpu);
  }

  /** {@code --workers-per-gpu}, or its seed spelling {@code --worker-per-gpu} when given. */
  static int perGpu(InferRunOptions o) {
    return o.getWorkerPerGpu() != null ? o.getWorkerPerGpu() : o.getWorkersPerGpu();
  }

  /** The worker slots {@code o} asks for, resolving {@code --workers} against the GPUs here. */
  static Workers of(InferRunOptions o) {
    if (o.getWorkers() == null) {
      return new Workers(o.getMaxGpus(), perGpu(o), o.getCpuWorkers());
    }
    int present = o.getMaxGpus() == 0 ? 0 : present();
    int gpus = o.getMaxGpus() < 0 ? present : Math.min(o.getMaxGpus(), present);
    return total(o.getWorkers(), gpus);
  }

  /** The GPUs PyTorch sees on this machine (loads the engine on first use). */
  static int present() {
    return Engine.getEngine(ModelSpec.ENGINE).getGpuCount();
  }

  /**
   * The one-line note for a run that asks for more GPUs ({@code --max-gpus N}, N > 0) than PyTorch
   * sees on this machine ({@code present}), or empty: the workers go to the GPUs there are, and to
   * the CPU when there are none (the CPU natives loaded: the default build, or the -Pcuda build
   * where DJL sees no GPU).
   */
  static Optional<String> shortfall(int maxGpus, int present) {
    if (maxGpus <= present) {
      return Optional.empty();
    }
    return Optional.of(
        present == 0
            ? "note: --max-gpus "
                + maxGpus
                + ", but PyTorch sees no GPU on this machine: the model runs on the CPU (GPUs"
                + " need the -Pcuda build and a CUDA runtime >= 12.4, libcudart.so, on the"
                + " library path; docs/gpu.md)"
            : "note: --max-gpus "
                + maxGpus
                + ", but PyTorch sees "
                + present
                + " GPU(s) on this machine: the model runs on those");
  }
}

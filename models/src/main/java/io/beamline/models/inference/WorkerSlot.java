package io.beamline.models.inference;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A place for one inference worker: a GPU index or the CPU, with the label carried in results.
 *
 * <p>Labels: {@code gpu-<i>} for the one worker on GPU {@code i} (or {@code gpu-<i>-w<k>} when
 * several workers share that GPU), {@code cpu-<k>} for CPU workers.
 *
 * @param label the worker label
 * @param gpuIndex the GPU index, or -1 for the CPU
 */
public record WorkerSlot(String label, int gpuIndex) implements Serializable {
  /** The DJL device of this slot. */
  public Device device() {
    return gpuIndex < 0 ? Device.cpu() : Device.gpu(gpuIndex);
  }

  /** Whether this slot runs on a GPU. */
  public boolean isGpu() {
    return gpuIndex >= 0;
  }

  /**
   * The worker slots of a JVM, in assignment order: every worker of GPU 0, then GPU 1, ..., then
   * the CPU workers.
   *
   * @param maxGpus GPUs to use, {@code -1} for all that are present, {@code >= -1}
   * @param workersPerGpu workers on each used GPU, {@code >= 1}
   * @param cpuWorkers CPU workers in addition to the GPU ones, {@code >= 0}; when no GPU is used
   *     and this is 0, one CPU worker {@code cpu-0} is planned so that inference still runs
   * @param gpuCount GPUs the engine reports on this machine ({@code Engine.getGpuCount()}); never
   *     more are used
   */
  public static List<WorkerSlot> plan(
      int maxGpus, int workersPerGpu, int cpuWorkers, int gpuCount) {
    checkArgument(maxGpus >= -1, "maxGpus must be >= -1 (-1 = all), got %s", maxGpus);
    checkArgument(workersPerGpu >= 1, "workersPerGpu must be >= 1, got %s", workersPerGpu);
    checkArgument(cpuWorkers >= 0, "cpuWorkers must be >= 0, got %s", cpuWorkers);
    checkArgument(gpuCount >= 0, "gpuCount must be >= 0, got %s", gpuCount);
    int gpus = maxGpus < 0 ? gpuCount : Math.min(maxGpus, gpuCount);
    List<WorkerSlot> slots = new ArrayList<>();
    for (int g = 0; g < gpus; g++) {
      for (int w = 0; w < workersPerGpu; w++) {
        slots.add(new WorkerSlot(workersPerGpu == 1 ? "gpu-" + g : "gpu-" + g + "-w" + w, g));
      }
    }
    int cpus = slots.isEmpty() ? Math.max(1, cpuWorkers) : cpuWorkers;
    for (int c = 0; c < cpus; c++) {
      slots.add(new WorkerSlot("cpu-" + c, -1));
    }
    return List.copyOf(slots);
  }
}

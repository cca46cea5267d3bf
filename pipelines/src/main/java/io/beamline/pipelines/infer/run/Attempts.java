package io.beamline.pipelines.infer.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.json.Json;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Attempts of {@code infer run}: the telemetry record of each ({@link TelemetryLog}); which
 * attempts fail on purpose ({@code --inject-failure-rate}); the worker's GPU and memory; the live
 * progress count.
 */
final class Attempts {
  static final ObjectMapper JSON = Json.MAPPER;
  private static volatile String[] gpuNames;

  private Attempts() {}

  /** The telemetry record of an attempt of {@code t} that ended with {@code status}. */
  static TelemetryLog.Attempt record(
      ChunkTask t,
      Instant start,
      Instant end,
      String worker,
      String status,
      String error,
      String runId) {
    Integer gpu = gpuIndex(worker);
    return new TelemetryLog.Attempt(
        t.chunkId(),
        t.recordingId(),
        start,
        end,
        worker,
        gpu,
        gpu == null ? null : gpuName(gpu),
        memoryUsed(gpu),
        (end.toEpochMilli() - start.toEpochMilli()) / 1000.0,
        status,
        t.attempt(),
        error,
        t.backoffS(),
        runId);
  }

  /**
   * Whether attempt {@code attempt} of the chunk fails on purpose: a uniform draw from a hash of
   * (seed, stem, chunk id, attempt) below {@code rate}; the same on every runner and every run.
   */
  static boolean injected(double rate, long seed, ChunkTask t) {
    if (rate <= 0) {
      return false;
    }
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (byte b : (t.stem() + "\u0000" + t.chunkId()).getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ (b & 0xff));
    }
    h = mix(h ^ t.attempt());
    double u = (h >>> 11) * 0x1.0p-53;
    return u < rate;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The GPU index of a worker label ({@code gpu-1}, {@code gpu-1-w0}), or null for CPU ones. */
  static Integer gpuIndex(String worker) {
    if (worker == null || !worker.startsWith("gpu-")) {
      return null;
    }
    String rest = worker.substring(4);
    int dash = rest.indexOf('-');
    try {
      return Integer.parseInt(dash < 0 ? rest : rest.substring(0, dash));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The GPU's name from {@code nvidia-smi}, or {@code cuda:<i>} when that is not available. */
  static String gpuName(int index) {
    String[] names = gpuNames;
    if (names == null) {
      names = queryGpuNames();
      gpuNames = names;
    }
    return index < names.length ? names[index] : "cuda:" + index;
  }

  private static String[] queryGpuNames() {
    try {
      Process p =
          new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")
              .redirectErrorStream(true)
              .start();
      java.util.List<String> lines = new java.util.ArrayList<>();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          lines.add(l.trim());
        }
      }
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return lines.toArray(new String[0]);
      }
    } catch (IOException e) {
      // no nvidia-smi
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new String[0];
  }

  /** Memory in use: on a GPU what CUDA reports used on it, on the CPU the JVM heap in use. */
  static long memoryUsed(Integer gpu) {
    if (gpu != null) {
      try {
        return ai.djl.util.cuda.CudaUtils.getGpuMemory(ai.djl.Device.gpu(gpu)).getUsed();
      } catch (RuntimeException | LinkageError e) {
        // fall through to the heap
      }
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}

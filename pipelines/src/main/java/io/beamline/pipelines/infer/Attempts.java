package io.beamline.pipelines.infer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Attempts of {@code infer run}: the telemetry line of each, appended to {@code <stem>.jsonl} in
 * the telemetry directory as attempts end (a final one only after the chunk's commit); which
 * attempts fail on purpose ({@code --inject-failure-rate}); the worker's GPU and memory; the live
 * progress count.
 */
final class Attempts {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SUCCEEDED = "succeeded";
  static final String RETRYING = "retrying";
  static final String FAILED = "failed";

  private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> PROGRESS = new ConcurrentHashMap<>();
  private static volatile String[] gpuNames;

  private Attempts() {}

  /**
   * One telemetry line (no line end): {@code chunk_id, recording_id, start_utc, end_utc, worker,
   * gpu_index, gpu_name, memory_used_bytes, runtime_s, status, attempt, error}, then {@code
   * backoff_s} and {@code run_id}.
   */
  static String line(
      ChunkTask t,
      Instant start,
      Instant end,
      String worker,
      String status,
      String error,
      String runId) {
    Integer gpu = gpuIndex(worker);
    ObjectNode n = JSON.createObjectNode();
    n.put("chunk_id", t.chunkId());
    n.put("recording_id", t.recordingId());
    n.put("start_utc", start.toString());
    n.put("end_utc", end.toString());
    n.put("worker", worker);
    if (gpu == null) {
      n.putNull("gpu_index");
      n.putNull("gpu_name");
    } else {
      n.put("gpu_index", gpu);
      n.put("gpu_name", gpuName(gpu));
    }
    n.put("memory_used_bytes", memoryUsed(gpu));
    n.put("runtime_s", (end.toEpochMilli() - start.toEpochMilli()) / 1000.0);
    n.put("status", status);
    n.put("attempt", t.attempt());
    if (error == null) {
      n.putNull("error");
    } else {
      n.put("error", error);
    }
    n.put("backoff_s", t.backoffS());
    n.put("run_id", runId);
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a telemetry line: " + line, e);
    }
  }

  /**
   * Ends {@code file} with a line end when its last line lacks one (a run killed while appending),
   * so that the next line appended starts a line of its own; a missing or empty file is left alone.
   */
  static void endLastLine(Path file) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) == 0) {
      return;
    }
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      if (last.get(0) != '\n') {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}), ch.size());
      }
    }
  }

  /**
   * Appends {@code line} and a line end to {@code file} in one write, so a monitor tailing it never
   * sees half a line from this JVM.
   */
  static void append(Path file, String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    Object lock = LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Object());
    synchronized (lock) {
      try {
        Files.createDirectories(file.getParent());
        Files.write(
            file,
            bytes,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append telemetry to " + file, e);
      }
    }
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

  /** The live count of chunks finished (succeeded or failed for good) by run {@code runId}. */
  static AtomicLong progress(String runId) {
    return PROGRESS.computeIfAbsent(runId, k -> new AtomicLong());
  }
}

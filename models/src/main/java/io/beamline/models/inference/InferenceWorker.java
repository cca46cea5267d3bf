package io.beamline.models.inference;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.beamline.io.HostName;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * One inference worker of a JVM: a {@link WorkerSlot} taken round-robin, the model of its device
 * shared through {@link ModelCache} (loaded once per JVM and device, PyTorch's thread pools pinned
 * there), and a {@code Predictor} of its own: the one inference path of the project. A stage that
 * predicts opens one per DoFn instance and decides batches, retries and failure records itself (the
 * attempt stage of {@code infer run} retries inside its step and pads every batch to one shape).
 *
 * <p>Metrics (namespace this class, counted in the step that calls {@link #predict}): counter
 * {@code predict_calls} (one per {@code batchPredict}), counter {@code inputs} (inputs predicted),
 * distribution {@code batch_latency_ms}, and distribution {@code model_load_ms}, updated at the
 * first call of a worker whose open loaded the model (so its count is the number of loads;
 * {@code @Setup} has no metrics context on every runner). A runner that computes a step twice shows
 * it here.
 *
 * <p>Not thread-safe: one per DoFn instance, opened in {@code @Setup}, closed in {@code @Teardown}.
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class InferenceWorker<I, O> implements AutoCloseable {
  /** Next slot per transform instance (by id), shared by the workers of this JVM. */
  private static final Map<String, AtomicInteger> NEXT_SLOT = new ConcurrentHashMap<>();

  private final Counter predictCalls = Metrics.counter(InferenceWorker.class, "predict_calls");
  private final Counter inputCount = Metrics.counter(InferenceWorker.class, "inputs");
  private final Distribution batchLatency =
      Metrics.distribution(InferenceWorker.class, "batch_latency_ms");
  private final Distribution modelLoad =
      Metrics.distribution(InferenceWorker.class, "model_load_ms");

  private final WorkerSlot slot;
  private boolean loadReported;
  private ModelCache.Handle handle;
  private Predictor<I, O> predictor;

  private InferenceWorker(WorkerSlot slot, ModelCache.Handle handle, Predictor<I, O> predictor) {
    this.slot = slot;
    this.handle = handle;
    this.predictor = predictor;
    this.loadReported = handle.loadMillis() < 0;
  }

  /**
   * Takes the next worker slot of transform {@code id} in this JVM (slots as {@link
   * WorkerSlot#plan} plans them from the GPUs the engine reports) and opens a predictor of {@code
   * spec} there.
   *
   * @throws IOException when the model cannot be loaded (one-line reason)
   */
  @SuppressWarnings("unchecked")
  public static <I, O> InferenceWorker<I, O> open(
      ModelSpec<I, O> spec, String id, int maxGpus, int workersPerGpu, int cpuWorkers)
      throws IOException {
    int gpuCount = maxGpus == 0 ? 0 : Engine.getEngine(ModelSpec.ENGINE).getGpuCount();
    List<WorkerSlot> slots = WorkerSlot.plan(maxGpus, workersPerGpu, cpuWorkers, gpuCount);
    int next = NEXT_SLOT.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
    WorkerSlot slot = slots.get(Math.floorMod(next, slots.size()));
    ModelCache.Handle handle = ModelCache.acquire(spec, slot.device());
    Predictor<I, O> predictor =
        ((ZooModel<I, O>) handle.model()).newPredictor(spec.translator().get(), slot.device());
    return new InferenceWorker<>(slot, handle, predictor);
  }

  /** The slot this worker runs on. */
  public WorkerSlot slot() {
    return slot;
  }

  /**
   * The slot's label ({@code gpu-0}, {@code cpu-1}) with {@link #executor()}, carried in results
   * and failures: {@code cpu-0@node7/executor-2} on a Spark executor, so two executors' slots
   * differ.
   */
  public String label() {
    return slot.label() + executor();
  }

  /**
   * Where this JVM runs, when it is a Spark executor: {@code @<host>/executor-<id>}; empty on the
   * DirectRunner and on a Spark driver (local mode), where one JVM holds every slot. Spark is
   * looked up by reflection: it is on the class path only when the SparkRunner runs.
   */
  public static String executor() {
    return HostName.sparkExecutorId()
        .map(id -> "@" + HostName.get() + "/executor-" + id)
        .orElse("");
  }

  /** Milliseconds the model load took, -1 when it was already loaded in this JVM. */
  public long loadMillis() {
    return handle.loadMillis();
  }

  /**
   * One {@code batchPredict} call over {@code inputs}, as given (no padding).
   *
   * @throws TranslateException when the model throws or returns another number of outputs
   */
  public List<O> predict(List<I> inputs) throws TranslateException {
    if (!loadReported) {
      modelLoad.update(handle.loadMillis());
      loadReported = true;
    }
    long t0 = System.nanoTime();
    List<O> outputs = predictor.batchPredict(inputs);
    batchLatency.update((System.nanoTime() - t0) / 1_000_000);
    predictCalls.inc();
    if (outputs == null || outputs.size() != inputs.size()) {
      throw new TranslateException(
          "model returned "
              + (outputs == null ? "null" : outputs.size() + " outputs")
              + " for "
              + inputs.size()
              + " inputs; check the translator's batchProcessOutput");
    }
    inputCount.inc(outputs.size());
    return outputs;
  }

  /** The one-line reason of a failed prediction, prefixed with this worker's label. */
  public String describe(Throwable e) {
    Throwable t = e;
    // DJL wraps translator exceptions; the innermost one carries the reason.
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return label() + ": " + ModelSpec.oneLine(t);
  }

  @Override
  public void close() {
    if (predictor != null) {
      predictor.close();
      predictor = null;
    }
    if (handle != null) {
      handle.close();
      handle = null;
    }
  }
}

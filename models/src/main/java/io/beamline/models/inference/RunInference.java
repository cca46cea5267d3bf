package io.beamline.models.inference;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.beamline.io.failures.Failure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Runs a DJL model over keyed inputs, in batches, on the GPUs and CPUs of each worker: Beam
 * Python's {@code RunInference} for Java.
 *
 * <p>Input is {@code KV<key, input>} (the key is usually a chunk id). The output tuple holds {@link
 * #results()} ({@link InferenceResult}: key, output, worker label) and {@link #FAILURES}. Steps:
 *
 * <ol>
 *   <li>{@code BatchElements}: groups elements of one bundle and window into lists of at most
 *       {@link #withBatchSize(int)}. A batch is emitted when full, when its oldest element has
 *       waited {@link #withMaxWaitMillis(long)} at the arrival of another element, and at the end
 *       of every bundle (so a bounded input never waits for a timer). Batched results carry the
 *       timestamp of the element that closed the batch (or the latest one, at bundle end).
 *   <li>{@code Predict}: each DoFn instance takes the next {@link WorkerSlot} of this JVM
 *       round-robin ({@code gpu-0}, {@code gpu-1}, ..., {@code cpu-0}, ... as planned by {@link
 *       WorkerSlot#plan}), shares the model of that slot's device through {@link ModelCache}
 *       (loaded once per JVM and device), opens its own {@code Predictor} in {@code @Setup}, closes
 *       it in {@code @Teardown}, and calls {@code batchPredict} once per batch. Slots do not limit
 *       how many DoFn instances the runner makes: instances beyond the slot count share slots.
 * </ol>
 *
 * <p>Fixed shapes: on a GPU slot (or always, with {@link Padding#ALWAYS}) a batch shorter than the
 * batch size is padded by repeating its last input, and the extra outputs are dropped, so the
 * engine only ever sees one batch shape (a new shape can stall a GPU for seconds while kernels are
 * re-tuned). Metrics count only real inputs.
 *
 * <p>Failures: when a batch throws, each of its inputs is predicted alone (padded the same way) so
 * that one bad input does not fail its neighbours; each input that still throws becomes a {@link
 * Failure} (source and item = key, step {@code Predict}, error = worker and one-line reason) and
 * increments {@code failures}. Nothing is dropped. A model that cannot be loaded fails the run in
 * {@code @Setup} with a one-line reason.
 *
 * <p>Threads: every DoFn instance runs its own predictor on its own thread, so on CPU set PyTorch's
 * pools per JVM ({@code -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1}, or
 * a small number) to avoid oversubscribing the cores. No GPU was available when this was written:
 * the GPU slots, devices and padding are implemented but were only exercised on CPU.
 *
 * <p>Metrics (namespace this class): counters {@code inferences}, {@code failures}, {@code
 * failed_batches}; distributions {@code batch_latency_ms}, {@code batch_size}, {@code
 * model_load_ms} (one update per load, so its count is the number of loads).
 *
 * <pre>{@code
 * PCollectionTuple out =
 *     chunks.apply("Detect",
 *         RunInference.of(spec, FloatArrayCoder.of()).withBatchSize(32).withCpuWorkers(2));
 * PCollection<InferenceResult<float[]>> scores = out.get(RunInference.results());
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class RunInference<I, O>
    extends PTransform<PCollection<KV<String, I>>, PCollectionTuple> {
  /** Inputs the model could not process. */
  public static final TupleTag<Failure> FAILURES = new TupleTag<Failure>() {};

  private static final String RESULTS_ID = RunInference.class.getName() + ".results";

  /** When to pad a short batch to the batch size. */
  public enum Padding {
    /** On GPU slots only (default). */
    AUTO,
    /** Always, also on CPU. */
    ALWAYS,
    /** Never. */
    NEVER
  }

  private final ModelSpec<I, O> spec;
  private final Coder<O> outputCoder;
  private final String id;
  private final int batchSize;
  private final long maxWaitMillis;
  private final int maxGpus;
  private final int workersPerGpu;
  private final int cpuWorkers;
  private final Padding padding;

  private RunInference(
      ModelSpec<I, O> spec,
      Coder<O> outputCoder,
      String id,
      int batchSize,
      long maxWaitMillis,
      int maxGpus,
      int workersPerGpu,
      int cpuWorkers,
      Padding padding) {
    this.spec = spec;
    this.outputCoder = outputCoder;
    this.id = id;
    this.batchSize = batchSize;
    this.maxWaitMillis = maxWaitMillis;
    this.maxGpus = maxGpus;
    this.workersPerGpu = workersPerGpu;
    this.cpuWorkers = cpuWorkers;
    this.padding = padding;
  }

  /**
   * Inference with {@code spec}; outputs encoded with {@code outputCoder}. Defaults: batch size 32,
   * no max wait (bundle end flushes), all GPUs the engine reports, 1 worker per GPU, no extra CPU
   * workers (one CPU worker when no GPU is used), {@link Padding#AUTO}.
   */
  public static <I, O> RunInference<I, O> of(ModelSpec<I, O> spec, Coder<O> outputCoder) {
    return new RunInference<>(
        Objects.requireNonNull(spec, "spec"),
        Objects.requireNonNull(outputCoder, "outputCoder"),
        UUID.randomUUID().toString(),
        32,
        0,
        -1,
        1,
        0,
        Padding.AUTO);
  }

  /** The tag of the results in the output tuple. */
  public static <O> TupleTag<InferenceResult<O>> results() {
    return new TupleTag<>(RESULTS_ID);
  }

  /** Most inputs per {@code batchPredict} call, {@code [1, 65536]}; default 32. */
  public RunInference<I, O> withBatchSize(int n) {
    checkArgument(n >= 1 && n <= 65536, "withBatchSize(n): n must be in [1, 65536], got %s", n);
    return new RunInference<>(
        spec, outputCoder, id, n, maxWaitMillis, maxGpus, workersPerGpu, cpuWorkers, padding);
  }

  /**
   * Emit a batch once its oldest input has waited this long, checked when the next input arrives;
   * {@code >= 0}, 0 (default) for no limit (bundle end still flushes).
   */
  public RunInference<I, O> withMaxWaitMillis(long ms) {
    checkArgument(ms >= 0, "withMaxWaitMillis(ms): ms must be >= 0, got %s", ms);
    return new RunInference<>(
        spec, outputCoder, id, batchSize, ms, maxGpus, workersPerGpu, cpuWorkers, padding);
  }

  /** GPUs to use per worker JVM, {@code >= -1}; -1 (default) = all the engine reports, 0 = none. */
  public RunInference<I, O> withMaxGpus(int n) {
    checkArgument(n >= -1, "withMaxGpus(n): n must be >= -1 (-1 = all), got %s", n);
    return new RunInference<>(
        spec, outputCoder, id, batchSize, maxWaitMillis, n, workersPerGpu, cpuWorkers, padding);
  }

  /** Worker slots per used GPU, {@code [1, 64]}; default 1. */
  public RunInference<I, O> withWorkersPerGpu(int n) {
    checkArgument(n >= 1 && n <= 64, "withWorkersPerGpu(n): n must be in [1, 64], got %s", n);
    return new RunInference<>(
        spec, outputCoder, id, batchSize, maxWaitMillis, maxGpus, n, cpuWorkers, padding);
  }

  /**
   * CPU worker slots in addition to the GPU ones, {@code [0, 1024]}; default 0 (then one CPU slot
   * when no GPU is used).
   */
  public RunInference<I, O> withCpuWorkers(int n) {
    checkArgument(n >= 0 && n <= 1024, "withCpuWorkers(n): n must be in [0, 1024], got %s", n);
    return new RunInference<>(
        spec, outputCoder, id, batchSize, maxWaitMillis, maxGpus, workersPerGpu, n, padding);
  }

  /** When to pad short batches to the batch size; default {@link Padding#AUTO} (GPU only). */
  public RunInference<I, O> withPadding(Padding p) {
    return new RunInference<>(
        spec,
        outputCoder,
        id,
        batchSize,
        maxWaitMillis,
        maxGpus,
        workersPerGpu,
        cpuWorkers,
        Objects.requireNonNull(p, "withPadding(p): p must be AUTO, ALWAYS or NEVER"));
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, I>> input) {
    if (!(input.getCoder() instanceof KvCoder<?, ?>)) {
      throw new IllegalArgumentException(
          "RunInference: input must have a KvCoder, got " + input.getCoder());
    }
    Coder<KV<String, I>> elementCoder = input.getCoder();
    PCollection<List<KV<String, I>>> batches =
        input
            .apply(
                "BatchElements",
                ParDo.of(new BatchElementsFn<KV<String, I>>(batchSize, maxWaitMillis)))
            .setCoder(ListCoder.of(elementCoder));
    TupleTag<InferenceResult<O>> resultsTag = results();
    PCollectionTuple out =
        batches.apply(
            "Predict",
            ParDo.of(
                    new PredictBatchFn<>(
                        spec, id, batchSize, maxGpus, workersPerGpu, cpuWorkers, padding))
                .withOutputTags(resultsTag, TupleTagList.of(FAILURES)));
    out.get(resultsTag).setCoder(InferenceResult.coder(outputCoder));
    return out;
  }

  /** Groups the elements of one bundle and window into lists of at most {@code batchSize}. */
  static final class BatchElementsFn<T> extends DoFn<T, List<T>> {
    private final int batchSize;
    private final long maxWaitMillis;
    private transient Map<BoundedWindow, Buffer<T>> buffers;

    BatchElementsFn(int batchSize, long maxWaitMillis) {
      this.batchSize = batchSize;
      this.maxWaitMillis = maxWaitMillis;
    }

    private static final class Buffer<T> {
      final List<T> items = new ArrayList<>();
      Instant maxTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;
      long firstNanos;
    }

    @StartBundle
    public void startBundle() {
      // Insertion order keeps the flush order at bundle end reproducible.
      buffers = new LinkedHashMap<>();
    }

    @ProcessElement
    public void process(
        @Element T element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        OutputReceiver<List<T>> out) {
      Buffer<T> buf = buffers.computeIfAbsent(window, w -> new Buffer<>());
      if (buf.items.isEmpty()) {
        buf.firstNanos = System.nanoTime();
      }
      buf.items.add(element);
      if (timestamp.isAfter(buf.maxTimestamp)) {
        buf.maxTimestamp = timestamp;
      }
      boolean waitedTooLong =
          maxWaitMillis > 0 && (System.nanoTime() - buf.firstNanos) / 1_000_000 >= maxWaitMillis;
      if (buf.items.size() >= batchSize || waitedTooLong) {
        out.output(new ArrayList<>(buf.items));
        buffers.remove(window);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      for (Map.Entry<BoundedWindow, Buffer<T>> e : buffers.entrySet()) {
        if (!e.getValue().items.isEmpty()) {
          c.output(new ArrayList<>(e.getValue().items), e.getValue().maxTimestamp, e.getKey());
        }
      }
      buffers.clear();
    }
  }

  /** Predicts batches with one predictor per instance over a model shared in the JVM. */
  static final class PredictBatchFn<I, O> extends DoFn<List<KV<String, I>>, InferenceResult<O>> {
    /** Next slot per transform instance (by id), shared by the DoFn instances of this JVM. */
    private static final Map<String, AtomicInteger> NEXT_SLOT = new ConcurrentHashMap<>();

    private final ModelSpec<I, O> spec;
    private final String id;
    private final int batchSize;
    private final int maxGpus;
    private final int workersPerGpu;
    private final int cpuWorkers;
    private final Padding padding;

    private final Counter inferences = Metrics.counter(RunInference.class, "inferences");
    private final Counter failures = Metrics.counter(RunInference.class, "failures");
    private final Counter failedBatches = Metrics.counter(RunInference.class, "failed_batches");
    private final Distribution batchLatency =
        Metrics.distribution(RunInference.class, "batch_latency_ms");
    private final Distribution batchSizes = Metrics.distribution(RunInference.class, "batch_size");
    private final Distribution modelLoad =
        Metrics.distribution(RunInference.class, "model_load_ms");

    private transient WorkerSlot slot;
    private transient ModelCache.Handle handle;
    private transient Predictor<I, O> predictor;
    private transient boolean pad;
    private transient long pendingLoadMillis;

    PredictBatchFn(
        ModelSpec<I, O> spec,
        String id,
        int batchSize,
        int maxGpus,
        int workersPerGpu,
        int cpuWorkers,
        Padding padding) {
      this.spec = spec;
      this.id = id;
      this.batchSize = batchSize;
      this.maxGpus = maxGpus;
      this.workersPerGpu = workersPerGpu;
      this.cpuWorkers = cpuWorkers;
      this.padding = padding;
    }

    @Setup
    @SuppressWarnings("unchecked")
    public void setup() throws IOException {
      int gpuCount = maxGpus == 0 ? 0 : Engine.getEngine(ModelSpec.ENGINE).getGpuCount();
      List<WorkerSlot> slots = WorkerSlot.plan(maxGpus, workersPerGpu, cpuWorkers, gpuCount);
      int next = NEXT_SLOT.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
      slot = slots.get(Math.floorMod(next, slots.size()));
      handle = ModelCache.acquire(spec, slot.device());
      // Metrics have no step context in @Setup on every runner: report the load at first bundle.
      pendingLoadMillis = handle.loadMillis();
      predictor =
          ((ai.djl.repository.zoo.ZooModel<I, O>) handle.model())
              .newPredictor(spec.translator().get(), slot.device());
      pad = padding == Padding.ALWAYS || (padding == Padding.AUTO && slot.isGpu());
    }

    @StartBundle
    public void startBundle() {
      if (pendingLoadMillis >= 0) {
        modelLoad.update(pendingLoadMillis);
        pendingLoadMillis = -1;
      }
    }

    @ProcessElement
    public void process(@Element List<KV<String, I>> batch, MultiOutputReceiver out) {
      List<I> inputs = new ArrayList<>(batch.size());
      for (KV<String, I> kv : batch) {
        inputs.add(kv.getValue());
      }
      long t0 = System.nanoTime();
      List<O> outputs;
      try {
        outputs = predict(inputs);
      } catch (TranslateException | RuntimeException e) {
        failedBatches.inc();
        predictOneByOne(batch, out);
        return;
      }
      batchLatency.update((System.nanoTime() - t0) / 1_000_000);
      batchSizes.update(batch.size());
      inferences.inc(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        out.get(RunInference.<O>results())
            .output(new InferenceResult<>(batch.get(i).getKey(), outputs.get(i), slot.label()));
      }
    }

    /** Isolates the inputs of a failed batch so good ones still get results. */
    private void predictOneByOne(List<KV<String, I>> batch, MultiOutputReceiver out) {
      for (KV<String, I> kv : batch) {
        long t0 = System.nanoTime();
        try {
          O o = predict(List.of(kv.getValue())).get(0);
          batchLatency.update((System.nanoTime() - t0) / 1_000_000);
          batchSizes.update(1);
          inferences.inc();
          out.get(RunInference.<O>results())
              .output(new InferenceResult<>(kv.getKey(), o, slot.label()));
        } catch (TranslateException | RuntimeException e) {
          failures.inc();
          out.get(FAILURES)
              .output(
                  new Failure(
                      kv.getKey(),
                      kv.getKey(),
                      "Predict",
                      slot.label() + ": " + ModelSpec.oneLine(rootCause(e))));
        }
      }
    }

    /** One {@code batchPredict} call, padded to the batch size when {@code pad} is on. */
    private List<O> predict(List<I> inputs) throws TranslateException {
      int n = inputs.size();
      List<I> call = inputs;
      if (pad && n < batchSize) {
        call = new ArrayList<>(batchSize);
        call.addAll(inputs);
        I last = inputs.get(n - 1);
        while (call.size() < batchSize) {
          call.add(last);
        }
      }
      List<O> outputs = predictor.batchPredict(call);
      if (outputs == null || outputs.size() != call.size()) {
        throw new TranslateException(
            "model returned "
                + (outputs == null ? "null" : outputs.size() + " outputs")
                + " for "
                + call.size()
                + " inputs; check the translator's batchProcessOutput");
      }
      return n == call.size() ? outputs : outputs.subList(0, n);
    }

    private static Throwable rootCause(Throwable e) {
      Throwable t = e;
      // DJL wraps translator exceptions; the innermost one carries the reason.
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return t;
    }

    @Teardown
    public void teardown() {
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
}

package io.beamline.models.inference;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import ai.djl.translate.TranslateException;
import io.beamline.io.failures.Failure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * Runs a DJL model over keyed inputs, in batches, on the GPUs and CPUs of each worker: Beam
 * Python's {@code RunInference} for Java.
 *
 * <p>Input is {@code KV<key, input>} (the key is usually a chunk id). The output tuple holds {@link
 * #results()} ({@link InferenceResult}: key, output, worker label) and {@link #FAILURES}.
 *
 * <p>Batching happens in the predicting step itself ({@code Predict}): each DoFn instance holds the
 * inputs of its current bundle, per window, by reference (no copy, no coder, no intermediate
 * collection), and calls {@code batchPredict} when {@link #withBatchSize(int)} inputs are waiting,
 * when the oldest has waited {@link #withMaxWaitMillis(long)} at the arrival of another, and at the
 * end of the bundle (so a bounded input never waits for a timer). Results of a batch predicted at
 * bundle end carry the latest timestamp of its inputs, the others that of the input that completed
 * the batch. Batches are as full as the runner's bundles allow; where bundles are small (the
 * DirectRunner, streaming), {@link #withShards(int)} first groups the inputs into a few shards
 * ({@code Shard}, {@code GroupShards}) and cuts each shard's group into full batches.
 *
 * <p>Workers: each DoFn instance opens an {@link InferenceWorker} in {@code @Setup}: the next
 * {@link WorkerSlot} of this JVM round-robin ({@code gpu-0}, {@code gpu-1}, ..., {@code cpu-0}, ...
 * as planned by {@link WorkerSlot#plan}), the model of that slot's device shared through {@link
 * ModelCache} (loaded once per JVM and device), and its own {@code Predictor}; the worker is closed
 * in the DoFn's teardown. Slots do not limit how many DoFn instances the runner makes: instances
 * beyond the slot count share slots.
 *
 * <p>Keep inputs small where the runner moves them between steps: a chunk's path with a translator
 * that reads the file inside {@code batchPredict} (as {@code BirdCallFileTranslator} does) costs a
 * few bytes per element, where its samples would be copied and encoded at every step boundary.
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
  private final int shards;

  private RunInference(
      ModelSpec<I, O> spec,
      Coder<O> outputCoder,
      String id,
      int batchSize,
      long maxWaitMillis,
      int maxGpus,
      int workersPerGpu,
      int cpuWorkers,
      Padding padding,
      int shards) {
    this.shards = shards;
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
        Padding.AUTO,
        0);
  }

  /** The tag of the results in the output tuple. */
  public static <O> TupleTag<InferenceResult<O>> results() {
    return new TupleTag<>(RESULTS_ID);
  }

  /** Most inputs per {@code batchPredict} call, {@code [1, 65536]}; default 32. */
  public RunInference<I, O> withBatchSize(int n) {
    checkArgument(n >= 1 && n <= 65536, "withBatchSize(n): n must be in [1, 65536], got %s", n);
    return new RunInference<>(
        spec,
        outputCoder,
        id,
        n,
        maxWaitMillis,
        maxGpus,
        workersPerGpu,
        cpuWorkers,
        padding,
        shards);
  }

  /**
   * Emit a batch once its oldest input has waited this long, checked when the next input arrives;
   * {@code >= 0}, 0 (default) for no limit (bundle end still flushes).
   */
  public RunInference<I, O> withMaxWaitMillis(long ms) {
    checkArgument(ms >= 0, "withMaxWaitMillis(ms): ms must be >= 0, got %s", ms);
    return new RunInference<>(
        spec, outputCoder, id, batchSize, ms, maxGpus, workersPerGpu, cpuWorkers, padding, shards);
  }

  /** GPUs to use per worker JVM, {@code >= -1}; -1 (default) = all the engine reports, 0 = none. */
  public RunInference<I, O> withMaxGpus(int n) {
    checkArgument(n >= -1, "withMaxGpus(n): n must be >= -1 (-1 = all), got %s", n);
    return new RunInference<>(
        spec,
        outputCoder,
        id,
        batchSize,
        maxWaitMillis,
        n,
        workersPerGpu,
        cpuWorkers,
        padding,
        shards);
  }

  /** Worker slots per used GPU, {@code [1, 64]}; default 1. */
  public RunInference<I, O> withWorkersPerGpu(int n) {
    checkArgument(n >= 1 && n <= 64, "withWorkersPerGpu(n): n must be in [1, 64], got %s", n);
    return new RunInference<>(
        spec, outputCoder, id, batchSize, maxWaitMillis, maxGpus, n, cpuWorkers, padding, shards);
  }

  /**
   * CPU worker slots in addition to the GPU ones, {@code [0, 1024]}; default 0 (then one CPU slot
   * when no GPU is used).
   */
  public RunInference<I, O> withCpuWorkers(int n) {
    checkArgument(n >= 0 && n <= 1024, "withCpuWorkers(n): n must be in [0, 1024], got %s", n);
    return new RunInference<>(
        spec,
        outputCoder,
        id,
        batchSize,
        maxWaitMillis,
        maxGpus,
        workersPerGpu,
        n,
        padding,
        shards);
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
        Objects.requireNonNull(p, "withPadding(p): p must be AUTO, ALWAYS or NEVER"),
        shards);
  }

  /**
   * Where batches form, {@code [0, 4096]}. 0 (default): within each bundle, in the predicting step
   * itself, which gives full batches where runners make large bundles (the SparkRunner: one bundle
   * per partition) and works on unbounded input. {@code n >= 1}: inputs are first grouped into
   * {@code n} shards by key ({@code GroupByKey}, stable shard of the key's hash) and each shard's
   * group is cut into batches, so every batch is full but the last of each bundle's groups even
   * where the runner makes small bundles (the DirectRunner); use the number of worker slots of the
   * whole job. Grouping needs bounded input or windows whose triggers fire; the inputs cross a
   * shuffle, so keep them small (a chunk's path rather than its samples).
   */
  public RunInference<I, O> withShards(int n) {
    checkArgument(n >= 0 && n <= 4096, "withShards(n): n must be in [0, 4096], got %s", n);
    return new RunInference<>(
        spec,
        outputCoder,
        id,
        batchSize,
        maxWaitMillis,
        maxGpus,
        workersPerGpu,
        cpuWorkers,
        padding,
        n);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, I>> input) {
    if (!(input.getCoder() instanceof KvCoder<?, ?>)) {
      throw new IllegalArgumentException(
          "RunInference: input must have a KvCoder, got " + input.getCoder());
    }
    TupleTag<InferenceResult<O>> resultsTag = results();
    Batcher<I, O> batcher =
        new Batcher<>(
            spec, id, batchSize, maxWaitMillis, maxGpus, workersPerGpu, cpuWorkers, padding);
    PCollectionTuple out;
    if (shards == 0) {
      out =
          input.apply(
              "Predict",
              ParDo.of(new PredictFn<>(batcher))
                  .withOutputTags(resultsTag, TupleTagList.of(FAILURES)));
    } else {
      out =
          input
              .apply(
                  "Shard",
                  WithKeys.of(new ShardOf<I>(shards)).withKeyType(TypeDescriptors.integers()))
              .apply("GroupShards", GroupByKey.create())
              .apply(
                  "Predict",
                  ParDo.of(new PredictGroupsFn<>(batcher))
                      .withOutputTags(resultsTag, TupleTagList.of(FAILURES)));
    }
    out.get(resultsTag).setCoder(InferenceResult.coder(outputCoder));
    return out;
  }

  /** The shard of an input: {@code floorMod(key.hashCode(), shards)}, stable across JVMs. */
  static final class ShardOf<I> implements SerializableFunction<KV<String, I>, Integer> {
    private final int shards;

    ShardOf(int shards) {
      this.shards = shards;
    }

    @Override
    public Integer apply(KV<String, I> element) {
      return Math.floorMod(element.getKey().hashCode(), shards);
    }
  }

  /** Batches the inputs of each bundle and predicts them. */
  static final class PredictFn<I, O> extends DoFn<KV<String, I>, InferenceResult<O>> {
    private final Batcher<I, O> batcher;

    PredictFn(Batcher<I, O> batcher) {
      this.batcher = batcher;
    }

    @Setup
    public void setup() throws IOException {
      batcher.setup();
    }

    @StartBundle
    public void startBundle() {
      batcher.startBundle();
    }

    @ProcessElement
    public void process(
        @Element KV<String, I> element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out) {
      batcher.add(element, timestamp, window, Batcher.emitter(out));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      batcher.flushAll(c);
    }

    @Teardown
    public void teardown() {
      batcher.teardown();
    }
  }

  /** Batches the inputs of each shard's group (and of the groups of one bundle) and predicts. */
  static final class PredictGroupsFn<I, O>
      extends DoFn<KV<Integer, Iterable<KV<String, I>>>, InferenceResult<O>> {
    private final Batcher<I, O> batcher;

    PredictGroupsFn(Batcher<I, O> batcher) {
      this.batcher = batcher;
    }

    @Setup
    public void setup() throws IOException {
      batcher.setup();
    }

    @StartBundle
    public void startBundle() {
      batcher.startBundle();
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<String, I>>> group,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out) {
      Batcher.Emitter<O> emit = Batcher.emitter(out);
      for (KV<String, I> element : group.getValue()) {
        batcher.add(element, timestamp, window, emit);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      batcher.flushAll(c);
    }

    @Teardown
    public void teardown() {
      batcher.teardown();
    }
  }

  /**
   * The state of one DoFn instance: its worker slot, its predictor over the JVM's shared model, and
   * the inputs waiting for a full batch, per window, within the current bundle. Inputs are held by
   * reference, never copied or encoded.
   */
  static final class Batcher<I, O> implements java.io.Serializable {
    private final ModelSpec<I, O> spec;
    private final String id;
    private final int batchSize;
    private final long maxWaitMillis;
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

    private transient InferenceWorker<I, O> worker;
    private transient boolean pad;
    private transient long pendingLoadMillis;
    private transient Map<BoundedWindow, Buffer<I>> buffers;

    /** Where results and failures go: the element's receiver, or the bundle's context. */
    interface Emitter<O> {
      void result(InferenceResult<O> r, Instant timestamp, BoundedWindow window);

      void failure(Failure f, Instant timestamp, BoundedWindow window);
    }

    private static final class Buffer<I> {
      final List<KV<String, I>> items;
      Instant maxTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;
      long firstNanos;

      Buffer(int capacity) {
        items = new ArrayList<>(capacity);
      }
    }

    Batcher(
        ModelSpec<I, O> spec,
        String id,
        int batchSize,
        long maxWaitMillis,
        int maxGpus,
        int workersPerGpu,
        int cpuWorkers,
        Padding padding) {
      this.spec = spec;
      this.id = id;
      this.batchSize = batchSize;
      this.maxWaitMillis = maxWaitMillis;
      this.maxGpus = maxGpus;
      this.workersPerGpu = workersPerGpu;
      this.cpuWorkers = cpuWorkers;
      this.padding = padding;
    }

    /** Outputs through the element's receiver (timestamp: the current element's). */
    static <O> Emitter<O> emitter(DoFn.MultiOutputReceiver out) {
      return new Emitter<O>() {
        @Override
        public void result(InferenceResult<O> r, Instant timestamp, BoundedWindow window) {
          out.get(RunInference.<O>results()).output(r);
        }

        @Override
        public void failure(Failure f, Instant timestamp, BoundedWindow window) {
          out.get(FAILURES).output(f);
        }
      };
    }

    void setup() throws IOException {
      worker = InferenceWorker.open(spec, id, maxGpus, workersPerGpu, cpuWorkers);
      // Metrics have no step context in @Setup on every runner: report the load at first bundle.
      pendingLoadMillis = worker.loadMillis();
      pad = padding == Padding.ALWAYS || (padding == Padding.AUTO && worker.slot().isGpu());
    }

    void startBundle() {
      if (pendingLoadMillis >= 0) {
        modelLoad.update(pendingLoadMillis);
        pendingLoadMillis = -1;
      }
      // Insertion order keeps the flush order at bundle end reproducible.
      buffers = new LinkedHashMap<>();
    }

    /** Buffers {@code element}; predicts its window's batch when full or waited too long. */
    void add(KV<String, I> element, Instant timestamp, BoundedWindow window, Emitter<O> emit) {
      Buffer<I> buf = buffers.get(window);
      if (buf == null) {
        buf = new Buffer<>(batchSize);
        buffers.put(window, buf);
      }
      if (buf.items.isEmpty()) {
        buf.firstNanos = maxWaitMillis > 0 ? System.nanoTime() : 0;
      }
      buf.items.add(element);
      if (timestamp.isAfter(buf.maxTimestamp)) {
        buf.maxTimestamp = timestamp;
      }
      boolean waitedTooLong =
          maxWaitMillis > 0 && (System.nanoTime() - buf.firstNanos) / 1_000_000 >= maxWaitMillis;
      if (buf.items.size() >= batchSize || waitedTooLong) {
        buffers.remove(window);
        predictBatch(buf.items, timestamp, window, emit);
      }
    }

    /** Predicts what the bundle left in its buffers, each batch in its own window. */
    void flushAll(DoFn<?, InferenceResult<O>>.FinishBundleContext c) {
      Emitter<O> emit =
          new Emitter<O>() {
            @Override
            public void result(InferenceResult<O> r, Instant timestamp, BoundedWindow window) {
              c.output(RunInference.<O>results(), r, timestamp, window);
            }

            @Override
            public void failure(Failure f, Instant timestamp, BoundedWindow window) {
              c.output(FAILURES, f, timestamp, window);
            }
          };
      for (Map.Entry<BoundedWindow, Buffer<I>> e : buffers.entrySet()) {
        if (!e.getValue().items.isEmpty()) {
          predictBatch(e.getValue().items, e.getValue().maxTimestamp, e.getKey(), emit);
        }
      }
      buffers.clear();
    }

    private void predictBatch(
        List<KV<String, I>> batch, Instant timestamp, BoundedWindow window, Emitter<O> emit) {
      List<I> inputs = new ArrayList<>(Math.max(batch.size(), pad ? batchSize : 0));
      for (KV<String, I> kv : batch) {
        inputs.add(kv.getValue());
      }
      long t0 = System.nanoTime();
      List<O> outputs;
      try {
        outputs = predict(inputs);
      } catch (TranslateException | RuntimeException e) {
        failedBatches.inc();
        predictOneByOne(batch, timestamp, window, emit);
        return;
      }
      batchLatency.update((System.nanoTime() - t0) / 1_000_000);
      batchSizes.update(batch.size());
      inferences.inc(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        emit.result(
            new InferenceResult<>(batch.get(i).getKey(), outputs.get(i), worker.label()),
            timestamp,
            window);
      }
    }

    /** Isolates the inputs of a failed batch so good ones still get results. */
    private void predictOneByOne(
        List<KV<String, I>> batch, Instant timestamp, BoundedWindow window, Emitter<O> emit) {
      for (KV<String, I> kv : batch) {
        long t0 = System.nanoTime();
        try {
          O o = predict(List.of(kv.getValue())).get(0);
          batchLatency.update((System.nanoTime() - t0) / 1_000_000);
          batchSizes.update(1);
          inferences.inc();
          emit.result(new InferenceResult<>(kv.getKey(), o, worker.label()), timestamp, window);
        } catch (TranslateException | RuntimeException e) {
          failures.inc();
          emit.failure(
              new Failure(kv.getKey(), kv.getKey(), "Predict", worker.describe(e)),
              timestamp,
              window);
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
      List<O> outputs = worker.predict(call);
      return n == call.size() ? outputs : outputs.subList(0, n);
    }

    void teardown() {
      if (worker != null) {
        worker.close();
        worker = null;
      }
    }
  }
}

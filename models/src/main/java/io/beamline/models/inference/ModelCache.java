package io.beamline.models.inference;

import ai.djl.Device;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The models of this JVM: each (model path, name, block, device) is loaded once and shared by every
 * DoFn instance and thread that asks for it, with a reference count.
 *
 * <p>A model whose count drops to zero stays loaded: runners such as Spark set up and tear down
 * DoFns per partition, and reloading per partition would cost a model load each time. {@link
 * #evictIdle()} closes the idle ones. Loads of the same key are serialised; loads of different keys
 * run in parallel.
 *
 * <p>Threads: before the first load, PyTorch's intra-op and inter-op pools are set to one thread
 * each, unless the JVM was started with {@code -Dai.djl.pytorch.num_threads} (or {@code
 * num_interop_threads}). Parallelism comes from the predictors (one per DoFn instance and worker
 * slot), which on a CPU is as fast here as threads inside each operator (measured: 10.9 vs 10.6
 * chunks/s for {@code infer run} on 2 cores), and an operator computed on one thread gives the same
 * bits however many predictions run at once, so a chunk predicted again after a resume gets the
 * scores of an uninterrupted run.
 */
public final class ModelCache {
  private static final Map<String, Entry> MODELS = new ConcurrentHashMap<>();
  private static final AtomicLong LOADS = new AtomicLong();

  private ModelCache() {}

  /** A reference to a shared model; close it exactly once to release the reference. */
  public static final class Handle implements AutoCloseable {
    private final Entry entry;
    private final long loadMillis;
    private boolean closed;

    private Handle(Entry entry, long loadMillis) {
      this.entry = entry;
      this.loadMillis = loadMillis;
    }

    /** The shared model; do not close it. */
    public ZooModel<?, ?> model() {
      return entry.model;
    }

    /** Milliseconds this acquire spent loading the model, or -1 when it was already loaded. */
    public long loadMillis() {
      return loadMillis;
    }

    @Override
    public void close() {
      synchronized (entry) {
        if (!closed) {
          closed = true;
          entry.refs--;
        }
      }
    }
  }

  private static final class Entry {
    ZooModel<?, ?> model;
    int refs;
  }

  /**
   * The model of {@code spec} on {@code device}, loading it if this JVM has not yet.
   *
   * @throws IOException with a one-line reason when the model cannot be loaded
   */
  public static Handle acquire(ModelSpec<?, ?> spec, Device device) throws IOException {
    configureThreads();
    Entry entry = MODELS.computeIfAbsent(spec.cacheKey(device), k -> new Entry());
    synchronized (entry) {
      long loadMillis = -1;
      if (entry.model == null) {
        long t0 = System.nanoTime();
        entry.model = spec.load(device);
        loadMillis = (System.nanoTime() - t0) / 1_000_000;
        LOADS.incrementAndGet();
      }
      entry.refs++;
      return new Handle(entry, loadMillis);
    }
  }

  private static volatile boolean threadsConfigured;

  /** One thread per PyTorch pool unless the JVM's properties say otherwise; once per JVM. */
  static synchronized void configureThreads() {
    if (threadsConfigured) {
      return;
    }
    threadsConfigured = true;
    boolean intra = System.getProperty("ai.djl.pytorch.num_threads") == null;
    boolean inter = System.getProperty("ai.djl.pytorch.num_interop_threads") == null;
    if (!intra && !inter) {
      return;
    }
    // The engine reads these properties when its native library loads.
    if (intra) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
    if (inter) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    ai.djl.engine.Engine.getEngine(ModelSpec.ENGINE);
    if (intra && ai.djl.pytorch.jni.JniUtils.getNumThreads() != 1) {
      // Loaded before this call (another user of the engine): set the pool directly.
      ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
    }
  }

  /** How many model loads this JVM has done since start (for tests and diagnostics). */
  public static long loads() {
    return LOADS.get();
  }

  /** Current references to the model of {@code spec} on {@code device}; 0 when not loaded. */
  public static int references(ModelSpec<?, ?> spec, Device device) {
    Entry e = MODELS.get(spec.cacheKey(device));
    if (e == null) {
      return 0;
    }
    synchronized (e) {
      return e.refs;
    }
  }

  /** Closes and forgets every model nobody references; returns how many were closed. */
  public static int evictIdle() {
    int closed = 0;
    for (Map.Entry<String, Entry> me : MODELS.entrySet()) {
      Entry e = me.getValue();
      synchronized (e) {
        if (e.refs == 0 && e.model != null) {
          e.model.close();
          e.model = null;
          MODELS.remove(me.getKey(), e);
          closed++;
        }
      }
    }
    return closed;
  }
}

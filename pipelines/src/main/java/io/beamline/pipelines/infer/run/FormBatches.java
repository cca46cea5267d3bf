package io.beamline.pipelines.infer.run;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.module.Spread;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code form-batches}: groups the chunks per manifest and cuts them by their place in the
 * manifest: batch {@code j} holds the chunks at manifest positions {@code [j * batchSize, (j + 1) *
 * batchSize)} that this run attempts. So a chunk always sits in the same batch at the same slot,
 * whichever of its neighbours are still to do (a resume after a kill, a retry), and the model sees
 * the same input for it on every runner. The batches are then spread over the workers.
 */
final class FormBatches
    extends Module<FormBatches.Config, PCollection<ChunkTask>, PCollection<ChunkBatch>> {

  /**
   * @param batchSize chunks per model call, in [1, 4096]
   */
  record Config(int batchSize) implements ModuleConfig<FormBatches>, Serializable {
    Config {
      if (batchSize < 1 || batchSize > 4096) {
        throw new IllegalArgumentException("batchSize must be in [1, 4096], got " + batchSize);
      }
    }

    @Override
    public FormBatches toModule() {
      return new FormBatches(this);
    }
  }

  FormBatches(Config config) {
    super("form-batches", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(Port.of("chunks", ChunkTask.class));
  }

  @Override
  public List<Port> outputs() {
    return List.of(Port.of("batches", ChunkBatch.class));
  }

  @Override
  public PCollection<ChunkBatch> expand(PCollection<ChunkTask> chunks) {
    return chunks
        .apply(
            "KeyByManifest",
            WithKeys.of((ChunkTask t) -> t.stem()).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(ChunkTask.class)))
        .apply("GroupByManifest", GroupByKey.create())
        .apply("CutBatches", ParDo.of(new CutFn(config().batchSize())))
        .setCoder(SerializableCoder.of(ChunkBatch.class))
        // String.hashCode is specified, so the index is the same in every JVM and attempt.
        .apply("SpreadBatches", Spread.by((ChunkBatch b) -> 31 * b.stem().hashCode() + b.index()));
  }

  /** Cuts one manifest's chunks into batches by manifest position. */
  static final class CutFn extends DoFn<KV<String, Iterable<ChunkTask>>, ChunkBatch> {
    private final int batchSize;

    CutFn(int batchSize) {
      this.batchSize = batchSize;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<ChunkTask>> group, OutputReceiver<ChunkBatch> out) {
      TreeMap<Integer, List<ChunkTask>> slices = new TreeMap<>();
      for (ChunkTask t : group.getValue()) {
        slices.computeIfAbsent(t.order() / batchSize, k -> new ArrayList<>()).add(t);
      }
      for (var slice : slices.entrySet()) {
        slice.getValue().sort(Comparator.comparingInt(ChunkTask::order));
        out.output(new ChunkBatch(group.getKey(), slice.getKey(), slice.getValue()));
      }
    }
  }
}

package io.beamline.framework.module;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Spreads a pipeline's work items over the workers by a stable index of each item: key by the
 * index, group by it (bounded inputs; a reshuffle for unbounded ones), drop the key.
 *
 * <p>Why not {@code Reshuffle.viaRandomKey()}: its keys are drawn anew when Spark recomputes a map
 * task (a lost executor, a fetch failure, a cached block recomputed), so the retried task can send
 * an item to another partition than the first attempt did, and an item is then processed twice or
 * never. With the item's own index every attempt sends it to the same partition. Consecutive
 * indices land in different partitions (the SparkRunner hash-partitions the encoded key), so a few
 * items (regions, recordings, drivers) run on as many executors as there are.
 *
 * @param <T> item type; its coder is kept
 */
public final class Spread<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private final SerializableFunction<T, Integer> index;

  private Spread(SerializableFunction<T, Integer> index) {
    this.index = index;
  }

  /** Spreads items by {@code index} (stable across JVMs and attempts; need not be unique). */
  public static <T> Spread<T> by(SerializableFunction<T, Integer> index) {
    return new Spread<>(index);
  }

  @Override
  public PCollection<T> expand(PCollection<T> items) {
    Coder<T> coder = items.getCoder();
    PCollection<KV<Integer, T>> keyed =
        items
            .apply("Index", WithKeys.of(index).withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), coder));
    if (items.isBounded() == PCollection.IsBounded.BOUNDED) {
      // The SparkRunner translates a batch Reshuffle into a round-robin repartition that ignores
      // the key, so the items of one input split (a Create's few elements) could all land in one
      // partition, i.e. on one executor. GroupByKey hash-partitions the encoded key: consecutive
      // indices go to different partitions, each a task on whichever executor is free.
      return keyed
          .apply("GroupByIndex", GroupByKey.create())
          .apply("Groups", Values.create())
          .apply("Items", Flatten.iterables())
          .setCoder(coder);
    }
    return keyed.apply("Reshuffle", Reshuffle.of()).apply("Items", Values.create()).setCoder(coder);
  }
}

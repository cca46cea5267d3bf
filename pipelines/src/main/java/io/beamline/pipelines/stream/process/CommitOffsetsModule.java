package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.kafka.KafkaClients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Sink module {@code commit-offsets}: the consumer group's offset of each partition moves over the
 * longest run of acknowledged records that follows it (state keyed by partition: the next offset
 * and the acknowledged ones beyond a gap), committed synchronously. So a record is marked consumed
 * only when it and every record before it are done, whatever order they finished in; a restart
 * re-reads from the first record not done. Counter {@code offsets_committed}.
 *
 * <p>Offsets of a partition are taken to be consecutive (a plain, non-transactional producer, no
 * compaction): a gap waits for its record.
 */
final class CommitOffsetsModule
    extends Module<CommitOffsetsModule.Config, PCollection<Ack>, PDone> {
  private static final long serialVersionUID = 1L;

  /**
   * Settings of {@code commit-offsets}.
   *
   * @param broker Kafka bootstrap servers
   * @param group the consumer group
   */
  record Config(String broker, String group)
      implements ModuleConfig<CommitOffsetsModule>, java.io.Serializable {
    Config {
      if (broker == null || group == null || group.isBlank()) {
        throw new IllegalArgumentException("commit-offsets needs a broker and a group");
      }
    }

    @Override
    public CommitOffsetsModule toModule() {
      return new CommitOffsetsModule(this);
    }
  }

  private CommitOffsetsModule(Config config) {
    super("commit-offsets", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(PublishModule.ACKS);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollection<Ack> acks) {
    acks.apply(
            "KeyByPartition",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Ack.class)))
                .via(a -> KV.of(a.partitionKey(), a)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Ack.class)))
        .apply("Commit", ParDo.of(new CommitFn(config().broker(), config().group())));
    return PDone.in(acks.getPipeline());
  }

  /**
   * A consumer of {@code group} that reads and commits the group's offsets and never commits on its
   * own (this module's committer, and {@link StreamingStop}'s view of what is done).
   */
  static KafkaConsumer<byte[], byte[]> groupConsumer(String broker, String group) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", broker);
    c.put("group.id", group);
    c.put("enable.auto.commit", false);
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    return KafkaClients.consumer(c);
  }

  /** Advances one partition's committed offset over contiguous acknowledged records. */
  static final class CommitFn extends DoFn<KV<String, Ack>, Void> {
    private final String broker;
    private final String group;
    private final Counter committed =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "offsets_committed");
    private transient KafkaConsumer<byte[], byte[]> consumer;
    private transient Map<TopicPartition, OffsetAndMetadata> toCommit;

    @StateId("next")
    private final StateSpec<ValueState<Long>> nextSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("beyond")
    private final StateSpec<BagState<Long>> beyondSpec = StateSpecs.bag(VarLongCoder.of());

    CommitFn(String broker, String group) {
      this.broker = broker;
      this.group = group;
    }

    /**
     * The committing consumer, created on first use: the SparkRunner tears a DoFn down after a
     * micro-batch and may use the same instance again.
     */
    private KafkaConsumer<byte[], byte[]> consumer() {
      if (consumer == null) {
        consumer = groupConsumer(broker, group);
      }
      return consumer;
    }

    @StartBundle
    public void startBundle() {
      toCommit = new HashMap<>();
    }

    @ProcessElement
    public void process(
        @Element KV<String, Ack> e,
        @StateId("next") ValueState<Long> nextState,
        @StateId("beyond") BagState<Long> beyond) {
      Ack a = e.getValue();
      TopicPartition tp = new TopicPartition(a.topic(), a.partition());
      Long stored = nextState.read();
      long next = stored != null ? stored : start(tp);
      if (a.offset() < next) {
        return; // done before the group's committed offset: a record read again
      }
      TreeSet<Long> done = new TreeSet<>();
      beyond.read().forEach(done::add);
      done.add(a.offset());
      long moved = next;
      while (done.remove(moved)) {
        moved++;
      }
      beyond.clear();
      new ArrayList<>(done).forEach(beyond::add);
      nextState.write(moved);
      if (moved > next) {
        toCommit.put(tp, new OffsetAndMetadata(moved));
        committed.inc(moved - next);
      }
    }

    /**
     * Commits the bundle's furthest offset per partition in one request. The state written above is
     * kept only if the bundle completes, i.e. only after this commit succeeded.
     */
    @FinishBundle
    public void finishBundle() {
      if (!toCommit.isEmpty()) {
        consumer().commitSync(toCommit);
      }
      toCommit = null;
    }

    /** Where the group stands: its committed offset, else the partition's first offset. */
    private long start(TopicPartition tp) {
      OffsetAndMetadata c = consumer().committed(Set.of(tp)).get(tp);
      if (c != null) {
        return c.offset();
      }
      return consumer().beginningOffsets(List.of(tp)).get(tp);
    }

    @Teardown
    public void teardown() {
      if (consumer != null) {
        consumer.close();
        consumer = null;
      }
    }
  }
}

package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.joda.time.Instant;

/**
 * Module {@code publish} (and its later instances, e.g. {@code publish-run-ends}): sends the
 * records of every {@link Outbound} (an idempotent producer, {@code acks=all}) and, once the broker
 * has acknowledged all of them (at the end of each bundle), passes on the input record they
 * complete ({@code acks}) and the STF they answer ({@code answered}), so neither runs ahead of its
 * messages; a broker that stays away fails the pipeline (a restart resumes from the committed
 * offsets). Counter {@code records_sent}.
 */
final class PublishModule
    extends Module<PublishModule.Config, PCollection<Outbound>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final Port RECORDS = Port.of("records", Outbound.class);
  static final Port ACKS = Port.of("acks", Ack.class);
  static final Port ANSWERED = Port.of("answered", StfAnswered.class);
  static final TupleTag<Ack> ACKS_TAG = ACKS.tag();
  static final TupleTag<StfAnswered> ANSWERED_TAG = ANSWERED.tag();

  /**
   * Settings of a publishing stage.
   *
   * @param stage the stage's name ({@code publish}, {@code publish-run-ends})
   * @param broker Kafka bootstrap servers
   */
  record Config(String stage, String broker)
      implements ModuleConfig<PublishModule>, java.io.Serializable {
    Config {
      if (stage == null || broker == null || broker.isBlank()) {
        throw new IllegalArgumentException(
            "publish needs a stage name and a broker, got " + stage + ", " + broker);
      }
    }

    @Override
    public PublishModule toModule() {
      return new PublishModule(this);
    }
  }

  private PublishModule(Config config) {
    super(config.stage(), config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(RECORDS);
  }

  @Override
  public List<Port> outputs() {
    return List.of(ACKS, ANSWERED);
  }

  @Override
  public PCollectionTuple expand(PCollection<Outbound> records) {
    PCollectionTuple out =
        records.apply(
            "Send",
            ParDo.of(new SendFn(config().broker()))
                .withOutputTags(ACKS_TAG, TupleTagList.of(ANSWERED_TAG)));
    out.get(ACKS_TAG).setCoder(SerializableCoder.of(Ack.class));
    out.get(ANSWERED_TAG).setCoder(SerializableCoder.of(StfAnswered.class));
    return out;
  }

  /** Producer settings of every record {@code process} sends. */
  static Properties producerProps(String broker) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Sends the records of a bundle without waiting between them, then, at the end of the bundle,
   * waits for the broker to acknowledge every one and only then emits the acks and answered STFs
   * they carry (one round trip per bundle instead of one per record; neither runs ahead of its
   * messages). A send that fails fails the bundle, which is retried whole.
   */
  static final class SendFn extends DoFn<Outbound, Ack> {
    private final String broker;
    private final Counter sent = Metrics.counter(StreamProcessPipeline.NAMESPACE, "records_sent");
    private transient KafkaProducer<byte[], byte[]> producer;
    private transient List<Future<RecordMetadata>> pending;
    private transient List<Pending> acks;

    /**
     * What to emit once its bundle's records are acknowledged (an ack, an answered STF or both),
     * with its element's place.
     */
    private record Pending(
        Ack ack, StfAnswered answered, Instant timestamp, BoundedWindow window) {}

    SendFn(String broker) {
      this.broker = broker;
    }

    /**
     * The producer, created on first use: the SparkRunner tears a DoFn down after a micro-batch and
     * may use the same instance again.
     */
    private KafkaProducer<byte[], byte[]> producer() {
      if (producer == null) {
        producer = KafkaClients.producer(producerProps(broker));
      }
      return producer;
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
      acks = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element Outbound o, @Timestamp Instant timestamp, BoundedWindow window) {
      byte[] key = o.key() == null ? null : o.key().getBytes(StandardCharsets.UTF_8);
      for (String v : o.values()) {
        pending.add(
            producer()
                .send(new ProducerRecord<>(o.topic(), key, v.getBytes(StandardCharsets.UTF_8))));
      }
      if (o.ack() != null || o.answers() != null) {
        acks.add(new Pending(o.ack(), o.answers(), timestamp, window));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c)
        throws InterruptedException, ExecutionException, TimeoutException {
      for (Future<RecordMetadata> f : pending) {
        f.get(60, TimeUnit.SECONDS);
      }
      sent.inc(pending.size());
      for (Pending p : acks) {
        if (p.ack() != null) {
          c.output(ACKS_TAG, p.ack(), p.timestamp(), p.window());
        }
        if (p.answered() != null) {
          c.output(ANSWERED_TAG, p.answered(), p.timestamp(), p.window());
        }
      }
      pending = null;
      acks = null;
    }

    @Teardown
    public void teardown() {
      if (producer != null) {
        producer.close(java.time.Duration.ofSeconds(10));
        producer = null;
      }
    }
  }
}

package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.json.Json;
import io.beamline.io.swf.MalformedMessageException;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Source module {@code read-daq}: an unbounded {@link KafkaIO} read of {@code swf.daq} in the
 * consumer group (from the group's committed offset, else the earliest), decoded with {@link
 * WorkflowMessages}. Outputs: {@code stf-gen} and {@code lifecycle} messages of this namespace,
 * {@code dead-letters} for records that do not decode or exceed {@link #MAX_VALUE_BYTES} (with the
 * reason; counter {@code dead_letters}), and {@code acks} for records with nothing more to do
 * (another namespace, counter {@code foreign_namespace}; a type {@code process} does not consume).
 *
 * <p>The consumer never commits on its own (no auto commit, no commit in finalize): offsets are
 * committed by {@link CommitOffsetsModule} once the records' effects are durable.
 */
final class ReadDaqModule extends Module<ReadDaqModule.Config, PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Largest record value accepted as a workflow message; larger ones are dead-lettered. */
  static final int MAX_VALUE_BYTES = 256 * 1024;

  static final Port STF_GEN = Port.of("stf-gen", Inbound.class);
  static final Port LIFECYCLE = Port.of("lifecycle", Inbound.class);
  static final Port DEAD_LETTERS = Port.of("dead-letters", Outbound.class);
  static final Port ACKS = Port.of("acks", Ack.class);

  static final TupleTag<Inbound> STF_GEN_TAG = STF_GEN.tag();
  static final TupleTag<Inbound> LIFECYCLE_TAG = LIFECYCLE.tag();
  static final TupleTag<Outbound> DEAD_LETTERS_TAG = DEAD_LETTERS.tag();
  static final TupleTag<Ack> ACKS_TAG = ACKS.tag();

  private static final Set<MsgType> LIFECYCLE_TYPES =
      Set.of(
          MsgType.RUN_IMMINENT,
          MsgType.START_RUN,
          MsgType.PAUSE_RUN,
          MsgType.RESUME_RUN,
          MsgType.END_RUN);

  /**
   * Settings of {@code read-daq}.
   *
   * @param settings the run (broker, group, namespace, watermark delay, control token)
   * @param topic the topic to read ({@code swf.daq})
   * @param largeBundles read in bundles of up to 100 records through KafkaIO's splittable read
   *     ({@code --catch-up} on the DirectRunner; the SparkRunner cannot run it in streaming mode),
   *     instead of the legacy reader's bundles of at most 10 handed on as soon as they are there
   */
  record Config(ProcessSettings settings, String topic, boolean largeBundles)
      implements ModuleConfig<ReadDaqModule>, java.io.Serializable {
    Config {
      if (settings == null || topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("read-daq needs settings and a topic");
      }
    }

    @Override
    public ReadDaqModule toModule() {
      return new ReadDaqModule(this);
    }
  }

  private ReadDaqModule(Config config) {
    super("read-daq", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of();
  }

  @Override
  public List<Port> outputs() {
    return List.of(STF_GEN, LIFECYCLE, DEAD_LETTERS, ACKS);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    ProcessSettings s = config().settings();
    Map<String, Object> consumer = new LinkedHashMap<>();
    consumer.put("group.id", s.group());
    consumer.put("auto.offset.reset", "earliest");
    consumer.put("enable.auto.commit", false);
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(s.broker())
            .withTopic(config().topic())
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withConsumerConfigUpdates(consumer)
            .withTimestampPolicyFactory(
                new DaqTimestampPolicy.Factory(s.watermarkDelayMs(), s.token()));
    if (config().largeBundles()) {
      // The polling timeout is a setting of the splittable read only, so KafkaIO picks that read
      // for it. That read ends a bundle when a poll comes back empty (or after 100 records or a
      // second): at the DAQ's rates (an STF every 2 s) a 1 s poll hands each STF on within about
      // a second (KafkaIO's default, 2 s, held it until the next one).
      read = read.withConsumerPollingTimeout(1);
    }
    PCollection<KafkaRecord<byte[], byte[]>> records =
        begin.apply("Read " + config().topic(), read);
    PCollectionTuple out =
        records.apply(
            "DecodeMessages",
            ParDo.of(new DecodeFn(s.namespace(), s.token()))
                .withOutputTags(
                    STF_GEN_TAG,
                    TupleTagList.of(LIFECYCLE_TAG).and(DEAD_LETTERS_TAG).and(ACKS_TAG)));
    out.get(STF_GEN_TAG).setCoder(SerializableCoder.of(Inbound.class));
    out.get(LIFECYCLE_TAG).setCoder(SerializableCoder.of(Inbound.class));
    out.get(DEAD_LETTERS_TAG).setCoder(SerializableCoder.of(Outbound.class));
    out.get(ACKS_TAG).setCoder(SerializableCoder.of(Ack.class));
    return out;
  }

  /** Decodes one record and routes it; see the module's description. */
  static final class DecodeFn extends DoFn<KafkaRecord<byte[], byte[]>, Inbound> {
    private final String namespace;
    private final String token;
    private final Counter messages = Metrics.counter(StreamProcessPipeline.NAMESPACE, "messages");
    private final Counter deadLetters =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "dead_letters");
    private final Counter foreign =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "foreign_namespace");
    private final Counter ignored =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "ignored_types");
    private final Counter leftForRestart =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "left_unread_at_stop");

    DecodeFn(String namespace, String token) {
      this.namespace = namespace;
      this.token = token;
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, MultiOutputReceiver out) {
      if (ProcessControl.of(token).stopping()) {
        // Draining: not acknowledged, so the next start reads it again.
        leftForRestart.inc();
        return;
      }
      Ack ack = new Ack(r.getTopic(), r.getPartition(), r.getOffset());
      ProcessControl.of(token).accepted(ack);
      byte[] value = r.getKV().getValue();
      WorkflowMessage m;
      try {
        if (value != null && value.length > MAX_VALUE_BYTES) {
          throw new MalformedMessageException(
              "record value of "
                  + value.length
                  + " bytes exceeds the "
                  + MAX_VALUE_BYTES
                  + "-byte limit of a workflow message");
        }
        m = WorkflowMessages.decode(value);
      } catch (MalformedMessageException e) {
        deadLetters.inc();
        out.get(DEAD_LETTERS_TAG).output(deadLetter(r, ack, e.getMessage()));
        return;
      }
      messages.inc();
      ProcessControl.of(token).active();
      if (!namespace.equals(m.namespace())) {
        foreign.inc();
        out.get(ACKS_TAG).output(ack);
      } else if (m.type() == MsgType.STF_GEN) {
        out.get(STF_GEN_TAG).output(new Inbound(m, ack));
      } else if (LIFECYCLE_TYPES.contains(m.type())) {
        out.get(LIFECYCLE_TAG).output(new Inbound(m, ack));
      } else {
        ignored.inc();
        out.get(ACKS_TAG).output(ack);
      }
    }

    /** The contract's dead-letter record: source, reason and the raw value (64 Ki chars). */
    static Outbound deadLetter(KafkaRecord<byte[], byte[]> r, Ack ack, String reason) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("source_topic", r.getTopic());
      v.put("partition", r.getPartition());
      v.put("offset", r.getOffset());
      v.put("reason", reason);
      v.put("raw", WorkflowMessages.rawText(r.getKV().getValue()));
      byte[] key = r.getKV().getKey();
      return Outbound.of(
          SwfTopics.DEADLETTER,
          key == null ? null : new String(key, StandardCharsets.UTF_8),
          Json.line(v),
          ack);
    }
  }
}

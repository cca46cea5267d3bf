package io.beamline.pipelines.stream.process;

import io.beamline.io.json.Json;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.WorkflowMessages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code read-daq}'s decoding: routes, dead letters with reasons, other namespaces dropped. */
public class ReadDaqModuleTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void routesEachRecordOnce() throws Exception {
    SwfFixture daq = new SwfFixture("localhost:9", tmp.newFolder().toPath());
    String stf = WorkflowMessages.encodeString(daq.stfGen(daq.writeStf(100050, 1)));
    String end = WorkflowMessages.encodeString(daq.endRun(100050, 1));
    String foreign = end.replace("\"namespace\":\"beamline\"", "\"namespace\":\"elsewhere\"");
    String beat =
        WorkflowMessages.encodeString(daq.lifecycle(MsgType.START_RUN, 100050))
            .replace("\"start_run\"", "\"run_imminent\"");
    String huge = "{\"pad\":\"" + " ".repeat(ReadDaqModule.MAX_VALUE_BYTES) + "\"}";
    List<KafkaRecord<byte[], byte[]>> records =
        List.of(
            record(0, stf),
            record(1, end),
            record(2, foreign),
            record(3, "nope"),
            record(4, huge),
            record(5, beat));
    PCollectionTuple r =
        p.apply(
                Create.of(records)
                    .withCoder(KafkaRecordCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of())))
            .apply(
                ParDo.of(new ReadDaqModule.DecodeFn("beamline", "decode-test"))
                    .withOutputTags(
                        ReadDaqModule.STF_GEN_TAG,
                        TupleTagList.of(ReadDaqModule.LIFECYCLE_TAG)
                            .and(ReadDaqModule.DEAD_LETTERS_TAG)
                            .and(ReadDaqModule.ACKS_TAG)));
    r.get(ReadDaqModule.STF_GEN_TAG)
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(Inbound.class));
    r.get(ReadDaqModule.LIFECYCLE_TAG)
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(Inbound.class));
    r.get(ReadDaqModule.DEAD_LETTERS_TAG)
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(Outbound.class));
    r.get(ReadDaqModule.ACKS_TAG)
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(Ack.class));
    PAssert.that(offsets(r, ReadDaqModule.STF_GEN_TAG)).containsInAnyOrder(0L);
    PAssert.that(offsets(r, ReadDaqModule.LIFECYCLE_TAG)).containsInAnyOrder(1L, 5L);
    PAssert.that(
            r.get(ReadDaqModule.ACKS_TAG)
                .apply("AckOffsets", MapElements.into(TypeDescriptors.longs()).via(Ack::offset)))
        .containsInAnyOrder(2L);
    PAssert.that(
            r.get(ReadDaqModule.DEAD_LETTERS_TAG)
                .apply(
                    "Reasons",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            o ->
                                o.topic()
                                    + "|"
                                    + o.key()
                                    + "|"
                                    + o.ack().offset()
                                    + "|"
                                    + reason(o))))
        .containsInAnyOrder(
            "swf.deadletter|100050|3|not JSON",
            "swf.deadletter|100050|4|record value of "
                + huge.length()
                + " bytes exceeds the 262144-byte limit of a workflow message");
    p.run().waitUntilFinish();
  }

  private static org.apache.beam.sdk.values.PCollection<Long> offsets(
      PCollectionTuple r, org.apache.beam.sdk.values.TupleTag<Inbound> tag) {
    return r.get(tag)
        .apply(
            tag.getId() + "Offsets",
            MapElements.into(TypeDescriptors.longs()).via(i -> i.ack().offset()));
  }

  private static String reason(Outbound o) {
    try {
      String reason = Json.MAPPER.readTree(o.values().get(0)).get("reason").asText();
      return reason.startsWith("not JSON: ") ? "not JSON" : reason;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KafkaRecord<byte[], byte[]> record(long offset, String value) {
    return new KafkaRecord<>(
        "swf.daq",
        0,
        offset,
        1_000L,
        KafkaTimestampType.CREATE_TIME,
        new RecordHeaders(),
        "100050".getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }
}

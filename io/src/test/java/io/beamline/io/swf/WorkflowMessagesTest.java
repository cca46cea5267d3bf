package io.beamline.io.swf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowMessagesTest {
  private static final WorkflowMessage.Envelope ENV =
      new WorkflowMessage.Envelope("beamline", "daq-1", "daq@host-1");
  private static final Instant T = Instant.parse("2026-12-06T21:15:00.123Z");

  private static WorkflowMessage stfGen() {
    return WorkflowMessage.of(MsgType.STF_GEN, ENV, 100010, T, 17, "run", "physics")
        .with("filename", "swf.100010.000001.stf")
        .with("path", "/buffer/swf.100010.000001.stf")
        .with("sequence", 1)
        .with("size_bytes", 250_000L)
        .with("checksum", "ad:0a1b2c3d")
        .with("tf_count", 1000)
        .with("start", T)
        .with("end", T.plusMillis(665));
  }

  @Test
  void roundTripsEveryField() throws Exception {
    WorkflowMessage m = stfGen();
    String json = WorkflowMessages.encodeString(m);
    assertTrue(json.contains("\"run_id\":100010"), json);
    assertTrue(json.contains("\"timestamp\":\"2026-12-06T21:15:00.123Z\""), json);
    WorkflowMessage back = WorkflowMessages.decode(WorkflowMessages.encode(m));
    assertEquals(m, back);
    assertEquals(1000L, back.integer("tf_count"));
    assertEquals(T.plusMillis(665), back.instant("end"));
  }

  @Test
  void keepsIntegerArraysAndBooleans() throws Exception {
    WorkflowMessage h =
        WorkflowMessage.of(MsgType.HISTOGRAM, ENV, 7, T, 0, "run", "physics")
            .with("window_start", T)
            .with("window_end", T.plusSeconds(10))
            .with("kind", "multiplicity")
            .with("bins", List.of(1L, 0L, 5L))
            .with("stf_count", 3);
    assertEquals(
        List.of(1L, 0L, 5L), WorkflowMessages.decode(WorkflowMessages.encode(h)).integers("bins"));
  }

  @Test
  void refusesWhatTheOriginalAccepted() {
    String good = WorkflowMessages.encodeString(stfGen());
    assertReason(
        good.replace("\"run_id\":100010", "\"run_id\":\"100010\""), "run_id must be an integer");
    assertReason(
        good.replace(
            "2026-12-06T21:15:00.123Z\",\"simulation_tick",
            "2026-12-06T21:15:00.123\",\"simulation_tick"),
        "with a zone");
    assertReason(
        good.replace("\"msg_type\":\"stf_gen\"", "\"msg_type\":\"stf_made\""),
        "unknown msg_type stf_made");
    assertReason(
        good.replace("\"checksum\":\"ad:0a1b2c3d\",", ""),
        "stf_gen message without field checksum");
    assertReason(good.replace("\"namespace\":\"beamline\",", ""), "without field namespace");
    assertReason("[1,2]", "not a JSON object");
    assertReason("{\"msg_type\": ", "not JSON");
    assertReason(
        good.replace("\"tf_count\":1000", "\"tf_count\":1.5"), "tf_count must be an integer");
  }

  @Test
  void acceptsOffsetsAndKeepsUnknownFields() throws Exception {
    String good = WorkflowMessages.encodeString(stfGen());
    WorkflowMessage m =
        WorkflowMessages.decode(
            good.replace(
                    "\"2026-12-06T21:15:00.123Z\",\"simulation_tick",
                    "\"2026-12-06T22:15:00.123+01:00\",\"simulation_tick")
                .replace("}", ",\"extra\":\"x\"}"));
    assertEquals(T, m.timestamp());
    assertEquals("x", m.fields().get("extra"));
  }

  private static void assertReason(String text, String part) {
    MalformedMessageException e =
        assertThrows(MalformedMessageException.class, () -> WorkflowMessages.decode(text));
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }
}

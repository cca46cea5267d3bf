package io.beamline.pipelines.stream.process;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.module.Module;
import io.beamline.io.json.Json;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.WorkflowMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code close-runs}: a run closes once, from the commit records, never ahead of them. */
public class CloseRunsModuleTest {
  private static final long RUN = 100040;

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private Path out;
  private SwfFixture daq;
  private final List<StfOutcome> outcomes = new ArrayList<>();
  private final List<StfAnswered> answered = new ArrayList<>();

  /** STFs 1..n committed by this process and answered (their stf_processed sent). */
  private ProcessSettings committedStfs(int n) throws Exception {
    ProcessSettings s = committedStfs(n, "close-test");
    outcomes.forEach(o -> answered.add(new StfAnswered(o.run(), o.sequence())));
    return s;
  }

  /** STFs 1..n committed by the process of run {@code by}, none answered yet. */
  private ProcessSettings committedStfs(int n, String by) throws Exception {
    out = tmp.newFolder("out").toPath();
    daq = new SwfFixture("localhost:9", tmp.newFolder("buffer").toPath());
    ProcessSettings s = ProcessStfsModuleTest.settings(out, by);
    for (int seq = 1; seq <= n; seq++) {
      WorkflowMessage m = daq.stfGen(daq.writeStf(RUN, seq));
      outcomes.add(StfSummaries.processOnce(s, new Inbound(m, new Ack("swf.daq", 0, seq))));
    }
    return ProcessStfsModuleTest.settings(out, "close-test");
  }

  private PCollectionTuple closeRuns(ProcessSettings s, TestStream<Inbound> lifecycle) {
    return closeRuns(s, lifecycle, 0, true);
  }

  private PCollectionTuple closeRuns(
      ProcessSettings s, TestStream<Inbound> lifecycle, long timeoutSeconds, boolean timers) {
    CloseRunsModule close = Module.from(new CloseRunsModule.Config(s, timeoutSeconds, timers));
    return PCollectionTuple.of(ReadDaqModule.LIFECYCLE_TAG, p.apply("Lifecycle", lifecycle))
        .and(
            PublishModule.ANSWERED_TAG,
            p.apply(
                "Answered", Create.of(answered).withCoder(SerializableCoder.of(StfAnswered.class))))
        .apply(close);
  }

  /** "offset:processed:failed" of the run_processed, and the messages sent before it. */
  private static PCollection<String> described(PCollectionTuple r) {
    return r.get(CloseRunsModule.RUN_PROCESSED_TAG)
        .apply(
            "Closed",
            MapElements.into(TypeDescriptors.strings())
                .via(
                    o -> {
                      StringBuilder b = new StringBuilder();
                      b.append(o.ack().offset())
                          .append(':')
                          .append(field(o, "processed"))
                          .append(':')
                          .append(field(o, "failed"));
                      for (String v : o.values().subList(0, o.values().size() - 1)) {
                        JsonNode n = json(v);
                        b.append(' ')
                            .append(n.get("msg_type").asText())
                            .append('/')
                            .append(n.get("sequence").asLong())
                            .append('/')
                            .append(n.get("status").asText());
                      }
                      return b.toString();
                    }));
  }

  @Test
  public void closesOnceWhenEveryStfIsCommitted() throws Exception {
    closesOnceWhenEveryStfIsCommitted(true);
  }

  /** The same on runners without timers (the SparkRunner's streaming mode). */
  @Test
  public void closesOnceWhenEveryStfIsCommittedWithoutTimers() throws Exception {
    closesOnceWhenEveryStfIsCommitted(false);
  }

  private void closesOnceWhenEveryStfIsCommitted(boolean timers) throws Exception {
    ProcessSettings s = committedStfs(2);
    TestStream<Inbound> lifecycle =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(in(daq.lifecycle(MsgType.START_RUN, RUN), 0))
            .addElements(in(daq.endRun(RUN, 2), 3))
            .addElements(in(daq.endRun(RUN, 2), 4))
            .advanceWatermarkToInfinity();
    PCollectionTuple r = closeRuns(s, lifecycle, 600, timers);
    PAssert.that(described(r)).containsInAnyOrder("3:2:0");
    PAssert.that(
            r.get(CloseRunsModule.ACKS_TAG)
                .apply("AckOffsets", MapElements.into(TypeDescriptors.longs()).via(Ack::offset)))
        .containsInAnyOrder(0L, 4L);
    p.run().waitUntilFinish();
    JsonNode summary = Json.read(RunSummaries.directory(s.root(), RUN).resolve("summary.json"));
    assertEquals(2, summary.get("processed").asLong());
    assertEquals(outcomes.get(0).hits() + outcomes.get(1).hits(), summary.get("hits").asLong());
  }

  @Test
  public void waitsWhileAnStfOfTheRunIsNotCommitted() throws Exception {
    waitsWhileAnStfOfTheRunIsNotCommitted(true);
  }

  @Test
  public void waitsWhileAnStfOfTheRunIsNotCommittedWithoutTimers() throws Exception {
    waitsWhileAnStfOfTheRunIsNotCommitted(false);
  }

  private void waitsWhileAnStfOfTheRunIsNotCommitted(boolean timers) throws Exception {
    ProcessSettings s = committedStfs(2);
    TestStream<Inbound> lifecycle =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(in(daq.endRun(RUN, 3), 3))
            .advanceWatermarkToInfinity();
    PCollectionTuple r = closeRuns(s, lifecycle, 600, timers);
    PAssert.that(r.get(CloseRunsModule.RUN_PROCESSED_TAG)).empty();
    PAssert.that(r.get(CloseRunsModule.ACKS_TAG)).empty();
    p.run().waitUntilFinish();
    assertFalse(Files.exists(RunSummaries.directory(s.root(), RUN)));
  }

  @Test
  public void recordsAnStfNeverAnnouncedAsFailedAfterTheTimeout() throws Exception {
    ProcessSettings s = committedStfs(2);
    TestStream<Inbound> lifecycle =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(in(daq.endRun(RUN, 3), 3))
            .advanceProcessingTime(org.joda.time.Duration.standardSeconds(61))
            .advanceWatermarkToInfinity();
    PCollectionTuple r = closeRuns(s, lifecycle, 60, true);
    // STF 3 never announced: its failure record is announced before the run's end.
    PAssert.that(described(r)).containsInAnyOrder("3:2:1 stf_processed/3/failed");
    p.run().waitUntilFinish();
    JsonNode summary = Json.read(RunSummaries.directory(s.root(), RUN).resolve("summary.json"));
    assertEquals(
        "no stf_gen for this STF within 60 s of end_run",
        summary.get("failed_stfs").get(0).get("reason").asText());
    assertEquals(
        "failed", s.commits().read(io.beamline.io.swf.StfNames.stf(RUN, 3)).get().status());
  }

  /**
   * Every STF is committed but this process has not yet had the second one's stf_processed
   * acknowledged: the run waits, so its run_processed cannot overtake that message.
   */
  @Test
  public void waitsForTheAnswerOfAnStfItCommitted() throws Exception {
    ProcessSettings s = committedStfs(2, "close-test");
    answered.add(new StfAnswered(RUN, 1));
    TestStream<Inbound> lifecycle =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(in(daq.endRun(RUN, 2), 3))
            .advanceWatermarkToInfinity();
    PCollectionTuple r = closeRuns(s, lifecycle, 600, true);
    PAssert.that(r.get(CloseRunsModule.RUN_PROCESSED_TAG)).empty();
    p.run().waitUntilFinish();
    assertFalse(Files.exists(RunSummaries.directory(s.root(), RUN)));
  }

  /**
   * A restarted process finds the run's STFs committed by an earlier attempt and reads only its
   * end_run again: their stf_processed go out again, in order, before the run's end.
   */
  @Test
  public void announcesAgainTheStfsAnEarlierAttemptCommitted() throws Exception {
    ProcessSettings s = committedStfs(2, "earlier-attempt");
    TestStream<Inbound> lifecycle =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(in(daq.endRun(RUN, 2), 3))
            .advanceWatermarkToInfinity();
    PCollectionTuple r = closeRuns(s, lifecycle, 600, false);
    PAssert.that(described(r))
        .containsInAnyOrder("3:2:0 stf_processed/1/processed stf_processed/2/processed");
    p.run().waitUntilFinish();
  }

  private static Inbound in(WorkflowMessage m, long offset) {
    return new Inbound(m, new Ack("swf.daq", 0, offset));
  }

  /** Field {@code name} of {@code o}'s last message (the run_processed). */
  private static long field(Outbound o, String name) {
    return json(o.values().get(o.values().size() - 1)).get(name).asLong();
  }

  private static JsonNode json(String v) {
    try {
      return Json.MAPPER.readTree(v);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

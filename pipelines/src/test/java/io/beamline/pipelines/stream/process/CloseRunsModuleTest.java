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

  private ProcessSettings committedStfs(int n) throws Exception {
    out = tmp.newFolder("out").toPath();
    daq = new SwfFixture("localhost:9", tmp.newFolder("buffer").toPath());
    ProcessSettings s = ProcessStfsModuleTest.settings(out, "close-test");
    for (int seq = 1; seq <= n; seq++) {
      WorkflowMessage m = daq.stfGen(daq.writeStf(RUN, seq));
      outcomes.add(StfSummaries.processOnce(s, new Inbound(m, new Ack("swf.daq", 0, seq))));
    }
    return s;
  }

  private PCollectionTuple closeRuns(ProcessSettings s, TestStream<Inbound> lifecycle) {
    return closeRuns(s, lifecycle, 0, true);
  }

  private PCollectionTuple closeRuns(
      ProcessSettings s, TestStream<Inbound> lifecycle, long timeoutSeconds, boolean timers) {
    CloseRunsModule close = Module.from(new CloseRunsModule.Config(s, timeoutSeconds, timers));
    return PCollectionTuple.of(ReadDaqModule.LIFECYCLE_TAG, p.apply("Lifecycle", lifecycle))
        .and(
            ProcessStfsModule.OUTCOMES_TAG,
            p.apply(
                "Outcomes", Create.of(outcomes).withCoder(SerializableCoder.of(StfOutcome.class))))
        .apply(close);
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
    PAssert.that(
            r.get(CloseRunsModule.RUN_PROCESSED_TAG)
                .apply(
                    "Closed",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            o ->
                                o.ack().offset()
                                    + ":"
                                    + field(o, "processed")
                                    + ":"
                                    + field(o, "failed"))))
        .containsInAnyOrder("3:2:0");
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
    PAssert.that(
            r.get(CloseRunsModule.RUN_PROCESSED_TAG)
                .apply(
                    "Closed",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            o ->
                                o.ack().offset()
                                    + ":"
                                    + field(o, "processed")
                                    + ":"
                                    + field(o, "failed"))))
        .containsInAnyOrder("3:2:1");
    p.run().waitUntilFinish();
    JsonNode summary = Json.read(RunSummaries.directory(s.root(), RUN).resolve("summary.json"));
    assertEquals(
        "no stf_gen for this STF within 60 s of end_run",
        summary.get("failed_stfs").get(0).get("reason").asText());
    assertEquals(
        "failed", s.commits().read(io.beamline.io.swf.StfNames.stf(RUN, 3)).get().status());
  }

  private static Inbound in(WorkflowMessage m, long offset) {
    return new Inbound(m, new Ack("swf.daq", 0, offset));
  }

  private static long field(Outbound o, String name) {
    try {
      return Json.MAPPER.readTree(o.values().get(0)).get(name).asLong();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

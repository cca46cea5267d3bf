package io.beamline.pipelines.stream.process;

import static org.junit.Assert.assertEquals;

import io.beamline.framework.module.Module;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.swf.StfNames;
import io.beamline.io.swf.StfWriter;
import io.beamline.io.swf.WorkflowMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code process-stfs} on a test stream: duplicates, a message behind the watermark, a missing
 * file, and a second pipeline over the same output directory (a restart that reads everything
 * again), which must answer from the commit records without processing anything twice.
 */
public class ProcessStfsModuleTest {
  private static final long RUN = 100030;

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TestPipeline again = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  /** Settings of a test run writing under {@code out}. */
  static ProcessSettings settings(Path out, String runId) {
    return new ProcessSettings(
        "localhost:9",
        "g",
        "beamline",
        out.resolve("stream-process").toString(),
        out.toString(),
        runId,
        "process@test",
        runId,
        0,
        0);
  }

  @Test
  public void eachStfOnceDuplicatesAcknowledgedAndRedeliveryRecovered() throws Exception {
    Path buffer = tmp.newFolder("buffer").toPath();
    Path out = tmp.newFolder("out").toPath();
    SwfFixture daq = new SwfFixture("localhost:9", buffer);
    List<WorkflowMessage> msgs = new ArrayList<>();
    for (int seq = 1; seq <= 3; seq++) {
      StfWriter.Written w = daq.writeStf(RUN, seq);
      msgs.add(daq.stfGen(w));
    }
    Files.delete(buffer.resolve(StfNames.stf(RUN, 3)));
    TestStream<Inbound> stream =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(at(msgs.get(0), 0, 1000), at(msgs.get(0), 1, 1000))
            .advanceWatermarkTo(new Instant(60_000))
            .addElements(at(msgs.get(1), 2, 2000)) // behind the watermark: still processed
            .addElements(at(msgs.get(2), 3, 61_000), at(msgs.get(1), 4, 62_000))
            .advanceWatermarkToInfinity();
    ProcessStfsModule first = Module.from(new ProcessStfsModule.Config(settings(out, "run-1")));
    PCollectionTuple r = p.apply(stream).apply(first);
    PAssert.that(
            r.get(ProcessStfsModule.OUTCOMES_TAG)
                .apply(
                    "Outcomes",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            o ->
                                o.sequence()
                                    + ":"
                                    + o.status()
                                    + ":"
                                    + o.recovered()
                                    + ":"
                                    + o.ack().offset())))
        .containsInAnyOrder("1:processed:false:0", "2:processed:false:2", "3:failed:false:3");
    PAssert.that(
            r.get(ProcessStfsModule.ACKS_TAG)
                .apply("AckOffsets", MapElements.into(TypeDescriptors.longs()).via(Ack::offset)))
        .containsInAnyOrder(1L, 4L);
    p.run().waitUntilFinish();

    ItemCommits commits = ItemCommits.of(out, ProcessSettings.PIPELINE);
    assertEquals(3, commits.readAll().size());
    assertEquals("run-1", commits.read(StfNames.stf(RUN, 2)).get().runId());
    assertEquals("failed", commits.read(StfNames.stf(RUN, 3)).get().status());

    // A restart reads all three again: nothing is redone, every answer comes from its record.
    TestStream<Inbound> redelivered =
        TestStream.create(SerializableCoder.of(Inbound.class))
            .addElements(
                at(msgs.get(0), 0, 1000), at(msgs.get(1), 2, 2000), at(msgs.get(2), 3, 3000))
            .advanceWatermarkToInfinity();
    ProcessStfsModule second = Module.from(new ProcessStfsModule.Config(settings(out, "run-2")));
    PCollectionTuple r2 = again.apply(redelivered).apply(second);
    PAssert.that(
            r2.get(ProcessStfsModule.OUTCOMES_TAG)
                .apply(
                    "Recovered",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            o ->
                                o.sequence()
                                    + ":"
                                    + o.status()
                                    + ":"
                                    + o.recovered()
                                    + ":"
                                    + o.hits())))
        .containsInAnyOrder(
            "1:processed:true:" + hits(buffer, 1),
            "2:processed:true:" + hits(buffer, 2),
            "3:failed:true:0");
    again.run().waitUntilFinish();
    assertEquals("run-1", commits.read(StfNames.stf(RUN, 2)).get().runId());
  }

  private static long hits(Path buffer, int seq) throws Exception {
    try (io.beamline.io.swf.StfFile f =
        io.beamline.io.swf.StfFile.open(buffer.resolve(StfNames.stf(RUN, seq)))) {
      long h = 0;
      for (int i = 0; i < f.header().tfCount(); i++) {
        h += f.frame(i).hits();
      }
      return h;
    }
  }

  static TimestampedValue<Inbound> at(WorkflowMessage m, long offset, long ms) {
    return TimestampedValue.of(new Inbound(m, new Ack("swf.daq", 0, offset)), new Instant(ms));
  }
}

package io.beamline.io.samples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.beamline.io.failures.Failure;
import java.io.File;
import java.nio.file.Files;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SampleCsvIOTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  /** Formats each sample with its event timestamp, so timestamps are asserted too. */
  static final class WithTimestampFn extends DoFn<Sample, String> {
    @ProcessElement
    public void process(
        @Element Sample s, @Timestamp org.joda.time.Instant ts, OutputReceiver<String> out) {
      out.output(s + "|" + ts.getMillis());
    }
  }

  @Test
  public void parsesGoodLinesAndReportsBadOnes() throws Exception {
    File f = tmp.newFile("rec.csv");
    Files.writeString(
        f.toPath(),
        "sensor_id,time_s,value\n"
            + "eeg-1,1700000000.5,1.25\n"
            + "eeg-1,1700000000.504,-2\n"
            + "\n"
            + "eeg-2,abc,1\n"
            + "eeg-2,1700000001\n"
            + ",1700000001,3\n"
            + "eeg-2,1700000001,NaN\n");
    PCollectionTuple out = p.apply(SampleCsvIO.read().from(f.getAbsolutePath()));
    PCollection<String> samples =
        out.get(SampleCsvIO.SAMPLES).apply(ParDo.of(new WithTimestampFn()));
    PAssert.that(samples)
        .containsInAnyOrder(
            "eeg-1@1700000000500000us=1.25|1700000000500",
            "eeg-1@1700000000504000us=-2.0|1700000000504");
    String src = f.toPath().toUri().getPath();
    PAssert.that(out.get(SampleCsvIO.FAILURES))
        .satisfies(
            failures -> {
              java.util.Map<String, String> byLine = new java.util.TreeMap<>();
              for (Failure x : failures) {
                byLine.put(x.item, x.error);
                assertThat(x.source, containsString("rec.csv"));
              }
              assertThat(
                  byLine.toString(),
                  byLine.size() == 4
                      ? containsString("line 5=")
                      : containsString("exactly four failures"));
              assertThat(byLine.get("line 5"), containsString("must be numbers"));
              assertThat(byLine.get("line 6"), containsString("expected 3 fields"));
              assertThat(byLine.get("line 7"), containsString("sensor_id is empty"));
              assertThat(byLine.get("line 8"), containsString("finite"));
              return null;
            });
    p.run().waitUntilFinish();
    assertThat(src, containsString("rec.csv"));
  }

  @Test
  public void wrongHeaderIsOneFailureForTheFile() throws Exception {
    File f = tmp.newFile("bad.csv");
    Files.writeString(f.toPath(), "time,value\n1,2\n");
    PCollectionTuple out = p.apply(SampleCsvIO.read().from(f.getAbsolutePath()));
    PAssert.that(out.get(SampleCsvIO.SAMPLES)).empty();
    PAssert.thatSingleton(out.get(SampleCsvIO.FAILURES))
        .satisfies(
            x -> {
              assertThat(x.item, containsString("line 1"));
              assertThat(x.error, containsString("expected header 'sensor_id,time_s,value'"));
              return null;
            });
    p.run().waitUntilFinish();
  }
}

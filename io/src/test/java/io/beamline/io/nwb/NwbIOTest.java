package io.beamline.io.nwb;

import static org.junit.Assert.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class NwbIOTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void beamWriteEqualsThePlainWriter() throws Exception {
    Path beam = tmp.getRoot().toPath().resolve("beam.nwb");
    PCollection<String> out =
        p.apply(
                Create.of(NwbWriterTest.phone(), NwbWriterTest.eeg())
                    .withCoder(SerializableCoder.of(NwbTimeSeries.class)))
            .apply(
                NwbIO.write(NwbFile.of("other", "other", NwbWriterTest.START))
                    .withFile(NwbWriterTest.header())
                    .to(beam.toString()));
    PAssert.thatSingleton(out).isEqualTo(beam.toString());
    p.run().waitUntilFinish();

    Path plain = tmp.getRoot().toPath().resolve("plain.nwb");
    NwbWriter.write(
        plain, NwbWriterTest.header(), List.of(NwbWriterTest.eeg(), NwbWriterTest.phone()));
    assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(beam));
  }
}

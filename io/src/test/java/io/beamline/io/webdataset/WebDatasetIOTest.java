package io.beamline.io.webdataset;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class WebDatasetIOTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void writesSortedShardsIdenticalToThePlainWriter() throws Exception {
    List<WebDatasetSample> samples = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      samples.add(ShardWriterTest.sample(i));
    }
    // Arrival order must not matter: shuffle with a fixed seed.
    List<WebDatasetSample> shuffled = new ArrayList<>(samples);
    Collections.shuffle(shuffled, new java.util.Random(7));
    Path beamDir = tmp.newFolder("beam").toPath();
    PCollection<String> shards =
        p.apply(Create.of(shuffled).withCoder(WebDatasetSampleCoder.of()))
            .apply(
                WebDatasetIO.write()
                    .withMaxSamplesPerShard(3)
                    .to(beamDir.toString())
                    .withShardPattern("part-%03d.tar"));
    PAssert.that(shards)
        .containsInAnyOrder(
            beamDir.resolve("part-000.tar").toString(),
            beamDir.resolve("part-001.tar").toString(),
            beamDir.resolve("part-002.tar").toString());
    p.run().waitUntilFinish();

    Path plainDir = tmp.newFolder("plain").toPath();
    try (ShardWriter w = new ShardWriter(plainDir, "part-%03d.tar", 3, Long.MAX_VALUE)) {
      for (WebDatasetSample s : samples) {
        w.write(s);
      }
    }
    for (String name : List.of("part-000.tar", "part-001.tar", "part-002.tar")) {
      assertArrayEquals(
          name,
          Files.readAllBytes(plainDir.resolve(name)),
          Files.readAllBytes(beamDir.resolve(name)));
    }
    assertEquals(
        List.of(
            "w0000.eeg.npy",
            "w0000.json",
            "w0001.eeg.npy",
            "w0001.json",
            "w0002.eeg.npy",
            "w0002.json"),
        ShardWriterTest.entryNames(beamDir.resolve("part-000.tar")));
  }

  @Test
  public void withMaxBytesPerShardChangesTheShardCount() throws Exception {
    Path dir = tmp.newFolder("bytes").toPath();
    long one = ShardWriter.tarBytes(ShardWriterTest.sample(0));
    p.apply(
            Create.of(
                    ShardWriterTest.sample(0), ShardWriterTest.sample(1), ShardWriterTest.sample(2))
                .withCoder(WebDatasetSampleCoder.of()))
        .apply(WebDatasetIO.write().to(dir.toString()).withMaxBytesPerShard(one + 1024));
    p.run().waitUntilFinish();
    assertTrue(Files.exists(dir.resolve("shard-000002.tar")));
  }

  @Test
  public void withXRejectsBadValuesNamingThem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> WebDatasetIO.write().withMaxSamplesPerShard(0));
    assertEquals("maxSamplesPerShard must be >= 1, got 0", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> WebDatasetIO.write().withMaxBytesPerShard(0));
    assertThrows(
        IllegalArgumentException.class, () -> WebDatasetIO.write().withShardPattern("../x-%d"));
    p.enableAbandonedNodeEnforcement(false);
  }
}

package io.beamline.io.zarr;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.beamline.io.failures.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class OmeZarrIOTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void beamWriteEqualsThePlainWriterFileByFile() throws Exception {
    OmeZarrLayout layout = OmeZarrLayout.of(3, 8, 8).withLevels(2);
    List<KV<Long, byte[]>> frames = new ArrayList<>();
    for (long t = 5; t >= 0; t--) {
      frames.add(KV.of(t, OmeZarrWriterTest.frame(layout, t)));
    }
    Path beamRoot = tmp.getRoot().toPath().resolve("beam.zarr");
    PCollectionTuple out =
        p.apply(Create.of(frames).withCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of())))
            .apply(
                OmeZarrIO.write(OmeZarrLayout.of(1, 1, 1))
                    .withLayout(layout)
                    .to(beamRoot.toString()));
    PAssert.thatSingleton(out.get(OmeZarrIO.ROOT)).isEqualTo(beamRoot.toString());
    PAssert.that(out.get(OmeZarrIO.FAILURES)).empty();
    p.run().waitUntilFinish();

    Path plainRoot = tmp.getRoot().toPath().resolve("plain.zarr");
    try (OmeZarrWriter w = OmeZarrWriter.create(plainRoot, layout)) {
      for (long t = 0; t < 6; t++) {
        w.append(OmeZarrWriterTest.frame(layout, t));
      }
    }
    List<String> files = relativeFiles(plainRoot);
    assertEquals(files, relativeFiles(beamRoot));
    assertEquals(6 * 2 + 2 + 2, files.size()); // chunks, .zarray x2, .zattrs, .zgroup
    for (String f : files) {
      assertArrayEquals(
          f, Files.readAllBytes(plainRoot.resolve(f)), Files.readAllBytes(beamRoot.resolve(f)));
    }
  }

  @Test
  public void badFramesGoToFailuresAndGoodOnesAreWritten() throws Exception {
    OmeZarrLayout layout = OmeZarrLayout.of(1, 2, 2);
    Path root = tmp.getRoot().toPath().resolve("bad.zarr");
    PCollectionTuple out =
        p.apply(
                Create.of(
                        KV.of(0L, new byte[] {1, 2, 3, 4}),
                        KV.of(1L, new byte[] {1, 2, 3}),
                        KV.of(-1L, new byte[] {1, 2, 3, 4}))
                    .withCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of())))
            .apply(OmeZarrIO.write(layout).to(root.toString()));
    PAssert.that(out.get(OmeZarrIO.FAILURES))
        .containsInAnyOrder(
            new Failure(
                root.toString(),
                "t=1",
                "WriteFrameChunks",
                "frame has 3 bytes, expected channels x height x width = 1 x 2 x 2 = 4"),
            new Failure(
                root.toString(), "t=-1", "WriteFrameChunks", "frame index t must be >= 0, got -1"));
    p.run().waitUntilFinish();
    assertEquals(
        List.of("0/.zarray", "0/0/0/0/0/0", ".zattrs", ".zgroup").stream()
            .sorted()
            .collect(Collectors.toList()),
        relativeFiles(root));
  }

  @Test
  public void fixedTimePointsKeepFramesNeverReceivedAsFillAndRejectFramesPastTheEnd()
      throws Exception {
    OmeZarrLayout layout = OmeZarrLayout.of(1, 2, 2);
    Path root = tmp.getRoot().toPath().resolve("fixed.zarr");
    PCollectionTuple out =
        p.apply(
                Create.of(KV.of(1L, new byte[] {1, 2, 3, 4}), KV.of(5L, new byte[] {1, 2, 3, 4}))
                    .withCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of())))
            .apply(OmeZarrIO.write(layout).withTimePoints(4).to(root.toString()));
    PAssert.that(out.get(OmeZarrIO.FAILURES))
        .containsInAnyOrder(
            new Failure(
                root.toString(),
                "t=5",
                "WriteFrameChunks",
                "frame index t must be < 4 (the image's time points), got 5"));
    p.run().waitUntilFinish();
    assertEquals(
        List.of("0/.zarray", "0/1/0/0/0/0", ".zattrs", ".zgroup").stream()
            .sorted()
            .collect(Collectors.toList()),
        relativeFiles(root));
    // Frames 0, 2 and 3 never came: the array still has four time points, read as 0.
    assertEquals(OmeZarrWriter.zarray(layout, 0, 4), Files.readString(root.resolve("0/.zarray")));
  }

  private static List<String> relativeFiles(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(f -> root.relativize(f).toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }
}

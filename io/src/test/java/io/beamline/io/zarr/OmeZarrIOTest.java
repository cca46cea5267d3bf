package io.beamline.io.zarr;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

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
import org.apache.beam.sdk.values.PCollection;
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
    PCollection<String> out =
        p.apply(Create.of(frames).withCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of())))
            .apply(
                OmeZarrIO.write(OmeZarrLayout.of(1, 1, 1))
                    .withLayout(layout)
                    .to(beamRoot.toString()));
    PAssert.thatSingleton(out).isEqualTo(beamRoot.toString());
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

  private static List<String> relativeFiles(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(f -> root.relativize(f).toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }
}

package io.beamline.io.zarr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.testing.Interop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OmeZarrWriterTest {
  @TempDir Path dir;

  /** Pixel value of frame t, channel c, row y, column x: a pattern python can recompute. */
  static int pixel(long t, int c, int y, int x) {
    return (int) ((t * 31 + c * 7 + y * 3 + x) % 256);
  }

  static byte[] frame(OmeZarrLayout layout, long t) {
    byte[] f = new byte[layout.frameBytes()];
    int i = 0;
    for (int c = 0; c < layout.channels(); c++) {
      for (int y = 0; y < layout.height(); y++) {
        for (int x = 0; x < layout.width(); x++) {
          f[i++] = (byte) pixel(t, c, y, x);
        }
      }
    }
    return f;
  }

  static final String PY_PATTERN =
      String.join(
          "\n",
          "import sys, json, numpy as np, zarr",
          "def expected(T, C, H, W):",
          "    t, c, y, x = np.meshgrid(np.arange(T), np.arange(C), np.arange(H), np.arange(W),"
              + " indexing='ij')",
          "    return ((t * 31 + c * 7 + y * 3 + x) % 256).astype(np.uint8)[:, :, None, :, :]",
          "def down(a):",
          "    T, C, Z, H, W = a.shape",
          "    h2, w2 = (H + 1) // 2, (W + 1) // 2",
          "    out = np.zeros((T, C, Z, h2, w2), dtype=np.uint8)",
          "    for y in range(h2):",
          "        for x in range(w2):",
          "            blk = a[:, :, :, 2*y:2*y+2, 2*x:2*x+2].astype(np.int64)",
          "            n = blk.shape[3] * blk.shape[4]",
          "            out[:, :, :, y, x] = (blk.sum(axis=(3, 4)) + n // 2) // n",
          "    return out");

  @ParameterizedTest
  @CsvSource({"5, /", "-1, /", "9, ."})
  void pythonZarrOpensTheGroupWithShapeDtypeValuesAndMultiscales(int zlib, String sep)
      throws Exception {
    Interop.requirePython("zarr", "numpy");
    OmeZarrLayout layout =
        OmeZarrLayout.of(3, 9, 6)
            .withLevels(3)
            .withFrameRate(25)
            .withZlibLevel(zlib)
            .withDimensionSeparator(sep);
    Path root = dir.resolve("S1_X1_video.zarr");
    try (OmeZarrWriter w = OmeZarrWriter.create(root, layout)) {
      for (int t = 0; t < 4; t++) {
        w.append(frame(layout, t));
      }
      assertEquals(4, w.frames());
    }
    String code =
        String.join(
            "\n",
            PY_PATTERN,
            "g = zarr.open_group(sys.argv[1], mode='r')",
            "ms = g.attrs['multiscales'][0]",
            "assert ms['version'] == '0.4', ms",
            "assert [a['name'] for a in ms['axes']] == ['t', 'c', 'z', 'y', 'x'], ms['axes']",
            "assert [a['type'] for a in ms['axes']] == ['time', 'channel', 'space', 'space',"
                + " 'space']",
            "assert [d['path'] for d in ms['datasets']] == ['0', '1', '2']",
            "for i, d in enumerate(ms['datasets']):",
            "    ct = d['coordinateTransformations']",
            "    assert ct == [{'type': 'scale', 'scale': [0.04, 1.0, 1.0, 2.0**i, 2.0**i]}], ct",
            "a = expected(4, 3, 9, 6)",
            "for i, (H, W) in enumerate([(9, 6), (5, 3), (3, 2)]):",
            "    z = g[str(i)]",
            "    assert z.shape == (4, 3, 1, H, W), z.shape",
            "    assert z.dtype == np.uint8, z.dtype",
            "    assert z.chunks == (1, 3, 1, H, W), z.chunks",
            "    assert z.order == 'C'",
            "    assert np.array_equal(z[:], a), (i, z[:], a)",
            "    a = down(a)",
            "comp = g['0'].compressor",
            "print(comp.codec_id if comp is not None else 'none', comp.level if comp else '')");
    Interop.Result r = Interop.python(code, root.toString()).assertSuccess("python zarr");
    assertEquals(zlib < 0 ? "none" : "zlib " + zlib, r.stdout().strip());
  }

  @Test
  void metadataFollowsNgff04() throws Exception {
    OmeZarrLayout layout = OmeZarrLayout.of(1, 4, 4).withLevels(2);
    Path root = dir.resolve("v.zarr");
    OmeZarrWriter.create(root, layout).close();
    ObjectMapper json = new ObjectMapper();
    assertEquals(2, json.readTree(root.resolve(".zgroup").toFile()).get("zarr_format").asInt());
    JsonNode zarray = json.readTree(root.resolve("1/.zarray").toFile());
    assertEquals("[0,1,1,2,2]", zarray.get("shape").toString());
    assertEquals("[1,1,1,2,2]", zarray.get("chunks").toString());
    assertEquals("|u1", zarray.get("dtype").asText());
    assertEquals("C", zarray.get("order").asText());
    assertEquals("/", zarray.get("dimension_separator").asText());
    assertEquals("{\"id\":\"zlib\",\"level\":5}", zarray.get("compressor").toString());
    JsonNode ms = json.readTree(root.resolve(".zattrs").toFile()).get("multiscales").get(0);
    assertEquals("video", ms.get("name").asText());
    assertEquals(5, ms.get("axes").size());
    assertEquals("second", ms.get("axes").get(0).get("unit").asText());
  }

  @Test
  void framesInAnyOrderAndGapsReadAsZero() throws Exception {
    Interop.requirePython("zarr", "numpy");
    OmeZarrLayout layout = OmeZarrLayout.of(2, 3, 4);
    Path root = dir.resolve("gaps.zarr");
    try (OmeZarrWriter w = OmeZarrWriter.create(root, layout)) {
      w.writeFrame(3, frame(layout, 3));
      w.writeFrame(0, frame(layout, 0));
    }
    String code =
        String.join(
            "\n",
            PY_PATTERN,
            "z = zarr.open_group(sys.argv[1], mode='r')['0']",
            "a = expected(4, 2, 3, 4)",
            "assert z.shape == a.shape, z.shape",
            "assert np.array_equal(z[0], a[0]) and np.array_equal(z[3], a[3])",
            "assert not z[1].any() and not z[2].any()",
            "print('ok')");
    assertEquals(
        "ok", Interop.python(code, root.toString()).assertSuccess("zarr gaps").stdout().strip());
  }

  @Test
  void downsampleAveragesBlocksRoundingHalfUpAndKeepsEdges() {
    // one channel, 3 x 3: blocks {0,1,3,4}, {2,5}, {6,7}, {8}
    byte[] in = {0, 1, 2, 3, 4, 5, 6, 7, (byte) 255};
    assertArrayEquals(new byte[] {2, 4, 7, (byte) 255}, OmeZarrWriter.downsample(in, 1, 3, 3));
  }

  @Test
  void planarReordersInterleavedPixels() {
    byte[] hwc = {1, 2, 3, 4, 5, 6}; // 1 x 2 pixels, RGB
    assertArrayEquals(new byte[] {1, 4, 2, 5, 3, 6}, OmeZarrWriter.planar(hwc, 1, 2, 3));
  }

  @Test
  void wrongFrameSizeIsRejectedNamingTheIndexAndNoTemporaryFilesRemain() throws Exception {
    OmeZarrLayout layout = OmeZarrLayout.of(3, 4, 4);
    Path root = dir.resolve("bad.zarr");
    try (OmeZarrWriter w = OmeZarrWriter.create(root, layout)) {
      w.append(frame(layout, 0));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> w.writeFrame(7, new byte[5]));
      assertEquals(
          "frame t=7 has 5 bytes, expected channels x height x width = 48", e.getMessage());
    }
    try (Stream<Path> files = Files.walk(root)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
    assertTrue(Files.exists(root.resolve("0/0/0/0/0/0")));
    assertFalse(Files.exists(root.resolve("0/7")));
  }

  @Test
  void layoutRejectsBadValuesNamingThem() {
    assertEquals(
        "levels must be 1-16, got 0",
        assertThrows(IllegalArgumentException.class, () -> OmeZarrLayout.of(1, 1, 1).withLevels(0))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> OmeZarrLayout.of(0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> OmeZarrLayout.of(1, 1, 1).withZlibLevel(10));
    assertThrows(
        IllegalArgumentException.class,
        () -> OmeZarrLayout.of(1, 1, 1).withDimensionSeparator("_"));
    assertThrows(IllegalArgumentException.class, () -> OmeZarrLayout.of(1, 1, 1).withFrameRate(0));
  }
}

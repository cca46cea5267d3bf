package io.beamline.io.nwb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.nwb.Hdf5Writer.Group;
import io.beamline.io.nwb.Hdf5Writer.Value;
import io.beamline.io.testing.Interop;
import io.jhdf.HdfFile;
import io.jhdf.checksum.JenkinsLookup3HashLittle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Hdf5WriterTest {
  @TempDir Path dir;

  @Test
  void lookup3GivesTheReferenceValuesAndJhdfsChecksums() {
    // Values from lookup3.c's own self-test (driver5), seed 0.
    assertEquals(0xdeadbeef, Lookup3.hash(new byte[0], 0, 0));
    byte[] four = "Four score and seven years ago".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0x17770551, Lookup3.hash(four, 0, four.length));
    Random random = new Random(7);
    for (int n = 0; n <= 200; n++) {
      byte[] b = new byte[n + 3];
      random.nextBytes(b);
      assertEquals(
          JenkinsLookup3HashLittle.hash(Arrays.copyOfRange(b, 3, 3 + n)),
          Lookup3.hash(b, 3, n),
          "length " + n);
    }
  }

  /**
   * Every value type and the encodings that only large or unusual trees need: a link name longer
   * than 255 bytes, non-ASCII names (UTF-8 flagged), an object header over 64 KiB (4-byte chunk
   * size), 14 attributes on one object, more strings than one global heap collection can number, a
   * string larger than a collection's target size, the empty string, and a reference.
   */
  static Group everyEncoding() {
    Group root = Hdf5Writer.root();
    root.attribute("title", Value.text("every encoding"));
    root.attribute("µ-attr", Value.text("日本語 µV"));
    Hdf5Writer.Dataset f32 =
        root.dataset("f32", Value.float32(new float[] {1.5f, -2f, 3.25f, Float.NaN, 0f, 7f}, 2, 3))
            .attribute("scale", Value.float32(0.5f))
            .attribute("count", Value.int32(-42));
    // More attributes than HDF5's default compact maximum (8), all kept in the object header.
    for (int i = 0; i < 12; i++) {
      f32.attribute("extra_" + i, Value.int32(i));
    }
    root.dataset("f64", Value.float64(new double[] {0.0, 1.02, -1e300}));
    root.dataset("f64_scalar", Value.float64(Math.PI));
    root.dataset("one", Value.float64(new double[] {2.5}));
    root.dataset("i32", Value.int32(Integer.MIN_VALUE));
    root.dataset("empty_text", Value.text(""));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 70_000; i++) {
      many.add(i % 1000 == 0 ? "" : "s" + i);
    }
    root.dataset("many", Value.textArray(many));
    root.dataset("big", Value.text("x".repeat(1_500_000)));
    Group wide = root.group("wide");
    for (int i = 0; i < 4000; i++) {
      wide.group(String.format("child_%05d", i));
    }
    Group deep = root.group("ünïcode").group("n".repeat(300));
    deep.attribute("ref", Value.reference(wide));
    root.attribute("ref", Value.reference(deep));
    return root;
  }

  @Test
  void h5pyReadsEveryEncoding() throws Exception {
    Interop.requirePython("h5py", "numpy");
    Path h5 = dir.resolve("every.h5");
    Hdf5Writer.write(everyEncoding(), h5);
    String code =
        String.join(
            "\n",
            "import sys, h5py, numpy as np",
            "f = h5py.File(sys.argv[1], 'r')",
            "assert f.attrs['title'] == 'every encoding'",
            "assert f.attrs['\u00b5-attr'] == '\u65e5\u672c\u8a9e \u00b5V'",
            "d = f['f32']",
            "assert d.dtype == np.float32 and d.shape == (2, 3)",
            "exp = np.array([[1.5, -2, 3.25], [np.nan, 0, 7]], dtype=np.float32)",
            "assert np.array_equal(d[()], exp, equal_nan=True)",
            "assert d.attrs['scale'] == 0.5 and d.attrs.get_id('scale').dtype == np.float32",
            "assert d.attrs['count'] == -42 and d.attrs.get_id('count').dtype == np.int32",
            "assert [d.attrs['extra_%d' % i] for i in range(12)] == list(range(12))",
            "assert f['f64'].dtype == np.float64 and list(f['f64'][()]) == [0.0, 1.02, -1e300]",
            "assert f['f64_scalar'].shape == () and f['f64_scalar'][()] == np.pi",
            "assert f['one'].shape == (1,) and f['one'][0] == 2.5",
            "assert f['i32'].dtype == np.int32 and f['i32'][()] == -2**31",
            "assert f['empty_text'].asstr()[()] == ''",
            "many = f['many'].asstr()[()]",
            "assert len(many) == 70000",
            "assert all(s == ('' if i % 1000 == 0 else 's%d' % i) for i, s in enumerate(many))",
            "assert f['big'].asstr()[()] == 'x' * 1500000",
            "assert len(f['wide']) == 4000 and 'child_03999' in f['wide']",
            "deep = f['\u00fcn\u00efcode']['n' * 300]",
            "assert f[deep.attrs['ref']].name == '/wide'",
            "assert f[f.attrs['ref']] == deep",
            "print('ok')");
    assertEquals("ok", Interop.python(code, h5.toString()).assertSuccess("h5py").stdout().strip());
  }

  @Test
  void jhdfReadsEveryEncodingWithoutAWarning() throws Exception {
    Path h5 = dir.resolve("every.h5");
    Hdf5Writer.write(everyEncoding(), h5);
    assertEquals(List.of(), NwbSchemaCheck.jhdfWarnings(h5));
    try (HdfFile f = new HdfFile(h5)) {
      assertEquals("日本語 µV", f.getAttribute("µ-attr").getData());
      String[] many = (String[]) f.getDatasetByPath("many").getData();
      assertEquals("s69999", many[69_999]);
      assertEquals("", many[0]);
      assertEquals(4000, ((io.jhdf.api.Group) f.getChild("wide")).getChildren().size());
    }
  }

  @Test
  void theSameTreeGivesTheSameBytes() throws Exception {
    Path a = dir.resolve("a.h5");
    Path b = dir.resolve("b.h5");
    Hdf5Writer.write(everyEncoding(), a);
    Hdf5Writer.write(everyEncoding(), b);
    assertTrue(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
  }

  @Test
  void whatHdf5CannotHoldIsRefusedBeforeAnythingIsWritten() {
    Path h5 = dir.resolve("refused.h5");
    Group root = Hdf5Writer.root();
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      tooMany.add("k");
    }
    root.attribute("keys", Value.textArray(tooMany));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Hdf5Writer.write(root, h5));
    assertEquals(
        "attribute 'keys' of '/' takes 80046 bytes; at most 65535 fit in an object header",
        e.getMessage());
    assertFalse(Files.exists(h5));

    Group g = Hdf5Writer.root();
    g.group("a");
    assertEquals(
        "'/' already has a child named 'a'",
        assertThrows(IllegalArgumentException.class, () -> g.group("a")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> g.group("a/b"));
    Group outside = Hdf5Writer.root();
    g.attribute("ref", Value.reference(outside));
    assertEquals(
        "attribute 'ref' refers to an object outside the file",
        assertThrows(IllegalArgumentException.class, () -> Hdf5Writer.write(g, h5)).getMessage());
    assertFalse(Files.exists(h5));
  }
}

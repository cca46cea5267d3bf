package io.beamline.io.webdataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.testing.Interop;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyArrayTest {
  @TempDir Path dir;

  @Test
  void headerIsVersion1AlignedTo64WithPythonTupleShape() {
    byte[] b = NpyArray.int16(new short[] {1, 2, 3}, 3).toBytes();
    assertEquals((byte) 0x93, b[0]);
    assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
    assertEquals(1, b[6]);
    assertEquals(0, b[7]);
    int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLen) % 64);
    String header = new String(b, 10, headerLen, StandardCharsets.US_ASCII);
    assertEquals("{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", header.strip());
    assertEquals(10 + headerLen + 6, b.length);
    // little-endian payload
    assertEquals(1, b[10 + headerLen]);
    assertEquals(0, b[11 + headerLen]);
  }

  @Test
  void shapeMustMatchTheData() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NpyArray.float32(new float[5], 2, 3));
    assertEquals("shape [2, 3] holds 6 elements but the array has 5", e.getMessage());
  }

  @Test
  void numpyLoadsEveryDtypeWithShapeAndValues() throws Exception {
    Interop.requirePython("numpy");
    Files.write(
        dir.resolve("f4.npy"),
        NpyArray.float32(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 2, 3).toBytes());
    Files.write(
        dir.resolve("f8.npy"), NpyArray.float64(new double[] {Math.PI, -1e300}, 2).toBytes());
    Files.write(
        dir.resolve("i2.npy"), NpyArray.int16(new short[] {-32768, 32767, 0, 5}, 2, 2).toBytes());
    Files.write(
        dir.resolve("i4.npy"),
        NpyArray.int32(new int[] {Integer.MIN_VALUE, 42}, 1, 2, 1).toBytes());
    Files.write(
        dir.resolve("u1.npy"), NpyArray.uint8(new byte[] {0, (byte) 255, (byte) 128}, 3).toBytes());
    Files.write(dir.resolve("scalar.npy"), NpyArray.float64(new double[] {2.5}).toBytes());
    String code =
        String.join(
            "\n",
            "import sys, numpy as np",
            "d = sys.argv[1]",
            "def chk(name, dtype, shape, values):",
            "    a = np.load(d + '/' + name + '.npy')",
            "    assert a.dtype == np.dtype(dtype), (name, a.dtype)",
            "    assert a.shape == shape, (name, a.shape)",
            "    assert a.flags['C_CONTIGUOUS']",
            "    assert np.array_equal(a.ravel(), np.array(values, dtype=dtype)), (name, a)",
            "chk('f4', 'float32', (2, 3), [1.5, -2, 3.25, 0, 7, 8])",
            "chk('f8', 'float64', (2,), [np.pi, -1e300])",
            "chk('i2', 'int16', (2, 2), [-32768, 32767, 0, 5])",
            "chk('i4', 'int32', (1, 2, 1), [-2**31, 42])",
            "chk('u1', 'uint8', (3,), [0, 255, 128])",
            "chk('scalar', 'float64', (), [2.5])",
            "print('ok')");
    Interop.Result r = Interop.python(code, dir.toString()).assertSuccess("np.load");
    assertEquals("ok", r.stdout().strip());
  }
}

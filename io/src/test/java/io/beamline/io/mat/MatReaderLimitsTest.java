package io.beamline.io.mat;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MAT files whose headers claim more than they hold: refused with one line naming the file, before
 * anything of the claimed size is allocated (heap growth stays far below the claim).
 *
 * <p>Fixtures under {@code src/test/resources/MatReaderLimitsTest/}: {@code compressed_huge.mat}
 * (MAT v5, a 185-byte zlib element whose inner header claims a 10^6 x 10^6 double), {@code
 * huge_v73.mat} (MAT v7.3 written with h5py: a chunked 10^6 x 10^6 double dataset with no chunk
 * written, 1912 bytes).
 */
class MatReaderLimitsTest {
  @TempDir Path dir;

  private Path fixture(String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in =
        MatReaderLimitsTest.class.getResourceAsStream("/MatReaderLimitsTest/" + name)) {
      Files.copy(in, target);
    }
    return target;
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private static MatFileException refused(Path file) {
    long before = usedHeap();
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    MatFileException e;
    System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      e = assertThrows(MatFileException.class, () -> MatReader.readMatrix(file, "fwd"));
    } finally {
      System.setErr(saved);
    }
    // The one-line error is the only thing a user sees: no library warning on stderr.
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    assertTrue((usedHeap() - before) < (128L << 20), "heap grew by " + (usedHeap() - before));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertThat(e.getMessage(), containsString(file.toString()));
    assertThat(e.getMessage(), containsString("re-create or re-download the file"));
    return e;
  }

  /** MAT v5 header + one element, little-endian. */
  private static ByteBuffer v5(int size) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(String.format("%-116s", "MATLAB 5.0 MAT-file, test").getBytes(StandardCharsets.US_ASCII));
    b.put(new byte[8]).putShort((short) 0x0100).put((byte) 'I').put((byte) 'M');
    return b;
  }

  /** Array flags (double), dimensions and the name {@code fwd} of a miMATRIX element. */
  private static void matrixHeader(ByteBuffer b, int rows, int cols) {
    b.putInt(6).putInt(8).putInt(6).putInt(0);
    b.putInt(5).putInt(8).putInt(rows).putInt(cols);
    b.putShort((short) 1).putShort((short) 3).put("fwd\0".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aV5HeaderClaimingTwoGigabytesIsRefused() throws Exception {
    ByteBuffer b = v5(248);
    b.putInt(14).putInt(0x7FFFFFF8 + 64);
    matrixHeader(b, 1_000_000, 1_000_000);
    b.putInt(9).putInt(0x7FFFFFF8);
    Path f = dir.resolve("lying.mat");
    Files.write(f, b.array());
    assertThat(refused(f).getMessage(), containsString("claims a variable of 2147483704 bytes"));
  }

  @Test
  void aCompressedElementClaimingTwoGigabytesIsRefused() throws Exception {
    assertThat(
        refused(fixture("compressed_huge.mat")).getMessage(),
        containsString("more than the 256 MiB this reader decodes"));
  }

  @Test
  void aCompressedElementThatInflatesBeyondTheLimitIsRefused() throws Exception {
    // A zlib bomb: 600 MB of zeros in about 600 KB, declared honestly in its inner tag.
    int n = 600 << 20;
    Path f = dir.resolve("bomb.mat");
    Path body = dir.resolve("body.z");
    try (OutputStream z = new DeflaterOutputStream(Files.newOutputStream(body))) {
      ByteBuffer h = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(14).putInt(48 + n);
      matrixHeader(h, n / 8, 1);
      h.putInt(9).putInt(n);
      z.write(h.array());
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < n >> 20; i++) {
        z.write(zeros);
      }
    }
    ByteBuffer head = v5(136);
    head.putInt(15).putInt((int) Files.size(body));
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(head.array());
      Files.copy(body, out);
    }
    assertThat(
        refused(f).getMessage(), containsString("claims a variable of " + (n + 48) + " bytes"));
  }

  @Test
  void aV73DatasetClaimingTenToTheTwelveElementsIsRefused() throws Exception {
    MatFileException e = refused(fixture("huge_v73.mat"));
    assertThat(e.getMessage(), containsString("claims 1000000 x 1000000 elements"));
    assertEquals("fwd", e.variable().orElseThrow());
  }

  @Test
  void honestFilesUnderTheLimitStillRead() throws Exception {
    Path f = dir.resolve("ok.mat");
    MatWriter.create().withCompression(true).withDouble("fwd", MatMatrix.zeros(75, 994)).write(f);
    assertEquals(75, MatReader.readMatrix(f, "fwd").rows());
  }
}

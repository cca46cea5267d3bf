package io.beamline.io.swf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.zip.Adler32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StfFileTest {
  @TempDir Path dir;

  private static StfHeader header(int seq, long seed) {
    long start = Instant.parse("2026-12-06T21:15:00Z").getEpochSecond() * 1_000_000_000L;
    return new StfHeader(100010, seq, 50, start, StfHeader.DEFAULT_TF_DURATION_NANOS, 8, seed);
  }

  @Test
  void writesNamedFileThatReadsBackFrameByFrame() throws Exception {
    StfHeader h = header(3, 42);
    StfWriter.Written w = StfWriter.writeSynthetic(dir, h, 20.0);
    assertEquals("swf.100010.000003.stf", w.filename());
    assertEquals(Files.size(w.path()), w.sizeBytes());
    Adler32 a = new Adler32();
    a.update(Files.readAllBytes(w.path()));
    assertEquals(String.format("ad:%08x", a.getValue()), w.checksum());
    long hits = 0;
    try (StfFile f = StfFile.open(w.path())) {
      assertEquals(h, f.header());
      assertTrue(f.verify(w.sizeBytes(), w.checksum()).ok());
      for (int i = 0; i < h.tfCount(); i++) {
        TimeFrame tf = f.frame(i);
        assertFrame(StfWriter.synthetic(h, i, 20.0), i, tf);
        hits += tf.hits();
      }
    }
    assertEquals(w.hits(), hits);
    // Mean 20 hits over 50 TFs: far from zero and from a fixed count.
    assertTrue(hits > 700 && hits < 1300, "hits " + hits);
    assertEquals(h.start().plusNanos(50 * StfHeader.DEFAULT_TF_DURATION_NANOS), h.end());
  }

  /** {@code actual} is TF {@code index} with {@code expected}'s hits. */
  private static void assertFrame(TimeFrame expected, int index, TimeFrame actual) {
    assertEquals(index, actual.index());
    assertArrayEquals(expected.detector(), actual.detector());
    assertArrayEquals(expected.channel(), actual.channel());
    assertArrayEquals(expected.adc(), actual.adc());
    assertArrayEquals(expected.timeOffsetNanos(), actual.timeOffsetNanos());
  }

  /**
   * An STF several read windows long gives the same frames read in file order, backwards and at
   * random as the writer made them (frames are decoded from a moving read window).
   */
  @Test
  void framesReadInAnyOrderAcrossReadWindows() throws Exception {
    long start = Instant.parse("2026-12-06T21:15:00Z").getEpochSecond() * 1_000_000_000L;
    StfHeader h = new StfHeader(100010, 9, 1000, start, StfHeader.DEFAULT_TF_DURATION_NANOS, 8, 11);
    StfWriter.Written w = StfWriter.writeSynthetic(dir, h, 80.0);
    assertTrue(w.sizeBytes() > 3L * StfFile.WINDOW_BYTES, "size " + w.sizeBytes());
    java.util.List<Integer> order = new java.util.ArrayList<>();
    for (int i = 0; i < h.tfCount(); i++) {
      order.add(i);
    }
    java.util.List<Integer> backwards = new java.util.ArrayList<>(order);
    java.util.Collections.reverse(backwards);
    java.util.List<Integer> shuffled = new java.util.ArrayList<>(order);
    java.util.Collections.shuffle(shuffled, new java.util.Random(5));
    for (java.util.List<Integer> o : java.util.List.of(order, backwards, shuffled)) {
      long hits = 0;
      try (StfFile f = StfFile.open(w.path())) {
        for (int i : o) {
          TimeFrame tf = f.frame(i);
          assertFrame(StfWriter.synthetic(h, i, 80.0), i, tf);
          hits += tf.hits();
        }
        assertEquals(h.tfCount(), f.frames(0, h.tfCount() - 1).size());
      }
      assertEquals(w.hits(), hits);
    }
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
    Path a = StfWriter.writeSynthetic(dir.resolve("a"), header(1, 7), 20).path();
    Path b = StfWriter.writeSynthetic(dir.resolve("b"), header(1, 7), 20).path();
    Path c = StfWriter.writeSynthetic(dir.resolve("c"), header(1, 8), 20).path();
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertNotEquals(StfFile.checksum(a), StfFile.checksum(c));
  }

  @Test
  void verifyNamesSizeAndChecksumMismatches() throws Exception {
    StfWriter.Written w = StfWriter.writeSynthetic(dir, header(2, 1), 5);
    try (StfFile f = StfFile.open(w.path())) {
      StfFile.Verification v = f.verify(w.sizeBytes() + 1, w.checksum());
      assertFalse(v.ok());
      assertTrue(v.reason().contains("announced " + (w.sizeBytes() + 1)), v.reason());
      v = f.verify(w.sizeBytes(), "ad:00000000");
      assertFalse(v.ok());
      assertTrue(v.reason().contains("checksum"), v.reason());
    }
    // One flipped byte in a hit: same size, other checksum.
    byte[] bytes = Files.readAllBytes(w.path());
    bytes[bytes.length - 3] ^= 0x5a;
    Files.write(w.path(), bytes);
    try (StfFile f = StfFile.open(w.path())) {
      assertFalse(f.verify(w.sizeBytes(), w.checksum()).ok());
    }
  }

  @Test
  void refusesTruncatedAndForeignFiles() throws Exception {
    StfWriter.Written w = StfWriter.writeSynthetic(dir, header(4, 1), 20);
    Path cut = dir.resolve("cut.stf");
    byte[] bytes = Files.readAllBytes(w.path());
    Files.write(cut, java.util.Arrays.copyOf(bytes, 64 + 8 * 10));
    StfFormatException e = assertThrows(StfFormatException.class, () -> StfFile.open(cut));
    assertTrue(e.getMessage().contains("cut.stf"), e.getMessage());
    Path foreign = dir.resolve("x.stf");
    Files.writeString(foreign, "x".repeat(100));
    assertThrows(StfFormatException.class, () -> StfFile.open(foreign));
    Path tail = dir.resolve("tail.stf");
    Files.write(tail, java.util.Arrays.copyOf(bytes, bytes.length - 20), StandardOpenOption.CREATE);
    try (StfFile f = StfFile.open(tail)) {
      assertThrows(StfFormatException.class, () -> f.frame(49));
    }
  }

  @Test
  void namesParseBack() {
    assertEquals("swf.100010.000042.stf", StfNames.stf(100010, 42));
    assertArrayEquals(
        new long[] {100010, 42}, StfNames.parse("swf.100010.000042.stf").orElseThrow());
    assertTrue(StfNames.parse("swf.x.000042.stf").isEmpty());
    assertEquals("swf.7.000001.tf0010-0019.tf", StfNames.tfFile("swf.7.000001.stf", 10, 19));
  }
}

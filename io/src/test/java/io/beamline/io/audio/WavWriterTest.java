package io.beamline.io.audio;

import static io.beamline.io.audio.WavBytes.fmt;
import static io.beamline.io.audio.WavBytes.le16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WavWriterTest {
  @TempDir Path dir;

  /** Samples every encoding stores exactly: multiples of its quantum, extremes included. */
  static float[][] exactSamples(WavEncoding enc, int channels, int frames, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int bits = enc.isFloat() ? 24 : enc.bits();
    long full = 1L << (bits - 1);
    float[][] s = new float[channels][frames];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < frames; i++) {
        long code = i == 0 ? -full : i == 1 ? full - 1 : r.nextLong(-full, full);
        // For PCM_32 use codes that are multiples of 2^8 so they are exact in a float.
        if (enc == WavEncoding.PCM_32) {
          code = code >> 8 << 8;
        }
        s[c][i] = (float) ((double) code / full);
      }
    }
    return s;
  }

  static Stream<Arguments> formats() {
    return Stream.of(WavEncoding.values())
        .flatMap(e -> Stream.of(1, 2, 3, 6).map(c -> Arguments.of(e, c)));
  }

  @ParameterizedTest(name = "{0} x {1} channels")
  @MethodSource("formats")
  void roundTripIsExact(WavEncoding enc, int channels) throws IOException {
    float[][] s = exactSamples(enc, channels, 257, enc.ordinal() * 31L + channels);
    if (enc.isFloat()) {
      s[0][2] = 1.5f; // floats are not clipped
    }
    Audio a = Audio.of(44100, s);
    Path p = dir.resolve(enc + "_" + channels + ".wav");
    WavWriter.write(p, a, enc);

    WavHeader h = WavReader.readHeader(p);
    assertEquals(44100, h.sampleRate());
    assertEquals(channels, h.channels());
    assertEquals(enc.bits(), h.bitsPerSample());
    assertEquals(enc, h.encoding());
    assertEquals(257, h.frames());
    assertEquals(!enc.isFloat() && (channels > 2 || enc.bits() > 16), h.isExtensible());
    assertEquals(Files.size(p) % 2, 0L, "RIFF files have even length (pad byte after odd data)");
    assertEquals(a, WavReader.read(p));
    int riffSize = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    assertEquals(Files.size(p) - 8, riffSize);
  }

  @Test
  void pcm16StereoHeaderMatchesHandComputedBytes() {
    Audio a = Audio.of(8000, new float[][] {{-1f, 0.5f, 1f}, {0f, -0.5f, 2f}});
    byte[] expected =
        new WavBytes()
            .chunk("fmt ", fmt(1, 2, 8000, 4, 16))
            // 1.0 and 2.0 clamp to 32767
            .chunk("data", le16(-32768, 0, 16384, -16384, 32767, 32767))
            .build();
    byte[] actual = WavWriter.toBytes(a, WavEncoding.PCM_16);
    assertArrayEquals(expected, actual);
    // RIFF size = 4 (WAVE) + 8+16 (fmt) + 8+12 (data) = 48; byte rate = 8000*4
    ByteBuffer b = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(48, b.getInt(4));
    assertEquals(32000, b.getInt(28));
  }

  @Test
  void float32MonoHasFactChunkAndEighteenByteFmt() {
    byte[] b = WavWriter.toBytes(Audio.of(28000, new float[][] {{0.25f}}), WavEncoding.FLOAT_32);
    ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    // 12 RIFF + 8+18 fmt + 8+4 fact + 8+4 data = 62
    assertEquals(62, b.length);
    assertEquals(18, h.getInt(16));
    assertEquals(3, h.getShort(20));
    assertEquals("fact", new String(b, 38, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(1, h.getInt(46));
    assertEquals(0.25f, h.getFloat(58));
  }

  @Test
  void pcm24StereoUsesExtensibleWithPcmSubformat() {
    byte[] b = WavWriter.toBytes(Audio.of(96000, new float[2][1]), WavEncoding.PCM_24);
    ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(40, h.getInt(16));
    assertEquals((short) 0xFFFE, h.getShort(20));
    assertEquals(22, h.getShort(36)); // cbSize
    assertEquals(24, h.getShort(38)); // valid bits
    assertEquals(0x3, h.getInt(40)); // front left + right
    assertEquals(1, h.getShort(44)); // KSDATAFORMAT_SUBTYPE_PCM
    assertEquals(12 + 48 + 8 + 6, b.length);
  }

  @Test
  void quantisationRoundsAndClamps() {
    assertEquals(32767, WavWriter.quantise(1f, 16));
    assertEquals(-32768, WavWriter.quantise(-1f, 16));
    assertEquals(-32768, WavWriter.quantise(-3f, 16));
    assertEquals(1, WavWriter.quantise(0.6f / 32768, 16));
    assertEquals(0, WavWriter.quantise(0.4f / 32768, 16));
    assertEquals(127, WavWriter.quantise(1f, 8));
    assertEquals(8388607, WavWriter.quantise(1f, 24));
    assertEquals(Integer.MAX_VALUE, WavWriter.quantise(1f, 32));
    assertEquals(Integer.MIN_VALUE, WavWriter.quantise(-1f, 32));
  }

  @Test
  void writesAtomicallyAndReplacesExistingFiles() throws IOException {
    Path target = dir.resolve("sub/dir/out.wav");
    WavWriter.write(target, Audio.of(8000, new float[][] {{0.5f, -0.5f}}), WavEncoding.PCM_16);
    WavWriter.write(target, Audio.of(16000, new float[][] {{0.25f}}), WavEncoding.PCM_16);
    assertEquals(Audio.of(16000, new float[][] {{0.25f}}), WavReader.read(target));
    try (Stream<Path> files = Files.list(target.getParent())) {
      List<String> names = files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
      assertEquals(List.of("out.wav"), names, "no temporary files left behind");
    }
  }

  @Test
  void audioValidatesAndCopies() {
    float[][] s = {{1f, 2f}};
    Audio a = Audio.of(10, s);
    s[0][0] = 9f;
    assertEquals(1f, a.sample(0, 0));
    a.channel(0)[1] = 9f;
    assertEquals(2f, a.sample(0, 1));
    assertEquals(0.2, a.durationSeconds(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Audio.of(0, new float[1][1]));
    assertThrows(IllegalArgumentException.class, () -> Audio.of(10, new float[0][]));
    assertThrows(
        IllegalArgumentException.class, () -> Audio.of(10, new float[][] {{1f}, {1f, 2f}}));
  }
}

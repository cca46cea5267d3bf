package io.beamline.io.audio;

import static io.beamline.io.audio.WavBytes.bytes;
import static io.beamline.io.audio.WavBytes.fmt;
import static io.beamline.io.audio.WavBytes.fmtExtensible;
import static io.beamline.io.audio.WavBytes.le16;
import static io.beamline.io.audio.WavBytes.le32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavReaderTest {
  @TempDir Path dir;

  private Path file(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void pcm16StereoKnownSamples() throws IOException {
    // 2 frames, stereo: (-32768, 16384), (32767, 0)
    byte[] wav =
        new WavBytes()
            .chunk("fmt ", fmt(1, 2, 8000, 4, 16))
            .chunk("data", le16(-32768, 16384, 32767, 0))
            .build();
    assertEquals(44 + 8, wav.length);
    Path p = file("a.wav", wav);
    WavHeader h = WavReader.readHeader(p);
    assertEquals(new WavHeader("a.wav", 8000, 2, 16, WavEncoding.PCM_16, 1, 2, 44, 4), h);
    assertEquals(2.0 / 8000, h.durationSeconds(), 0);
    Audio a = WavReader.read(p);
    assertArrayEquals(new float[] {-1f, 32767f / 32768}, a.channel(0));
    assertArrayEquals(new float[] {0.5f, 0f}, a.channel(1));
  }

  @Test
  void pcm8IsUnsignedWithOffset128() throws IOException {
    byte[] wav =
        new WavBytes()
            .chunk("fmt ", fmt(1, 1, 11025, 1, 8))
            .chunk("data", bytes(0, 128, 192, 255))
            .build();
    Audio a = WavReader.read(file("b.wav", wav));
    assertArrayEquals(new float[] {-1f, 0f, 0.5f, 127f / 128}, a.channel(0));
    assertEquals(11025, a.sampleRate());
  }

  @Test
  void pcm24SignExtends() throws IOException {
    byte[] wav =
        new WavBytes()
            .chunk("fmt ", fmt(1, 1, 48000, 3, 24))
            .chunk("data", bytes(0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF, 0x01, 0, 0))
            .build();
    Audio a = WavReader.read(file("c.wav", wav));
    assertArrayEquals(new float[] {-1f, 0.5f, -1f / 8388608, 1f / 8388608}, a.channel(0));
  }

  @Test
  void pcm32AndFloats() throws IOException {
    Audio i32 =
        WavReader.read(
            file(
                "d.wav",
                new WavBytes()
                    .chunk("fmt ", fmt(1, 1, 1000, 4, 32))
                    .chunk("data", le32(Integer.MIN_VALUE, 1 << 30))
                    .build()));
    assertArrayEquals(new float[] {-1f, 0.5f}, i32.channel(0));

    ByteBuffer f = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    f.putFloat(0.25f).putFloat(-1.5f); // float data is not clipped
    Audio f32 =
        WavReader.read(
            file(
                "e.wav",
                new WavBytes()
                    .chunk("fmt ", fmt(3, 1, 1000, 4, 32))
                    .chunk("fact", le32(2))
                    .chunk("data", f.array())
                    .build()));
    assertArrayEquals(new float[] {0.25f, -1.5f}, f32.channel(0));

    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    d.putDouble(0.125).putDouble(-0.75);
    Audio f64 =
        WavReader.read(
            file(
                "f.wav",
                new WavBytes()
                    .chunk("fmt ", fmt(3, 2, 1000, 16, 64))
                    .chunk("data", d.array())
                    .build()));
    assertEquals(1, f64.frames());
    assertEquals(0.125f, f64.sample(0, 0));
    assertEquals(-0.75f, f64.sample(1, 0));
  }

  @Test
  void extensiblePcmAndFloat() throws IOException {
    Path pcm =
        file(
            "g.wav",
            new WavBytes()
                .chunk("fmt ", fmtExtensible(3, 96000, 24, 20, 1, true))
                .chunk("data", bytes(0, 0, 0x40, 0, 0, 0xC0, 0, 0, 0))
                .build());
    WavHeader h = WavReader.readHeader(pcm);
    assertTrue(h.isExtensible());
    assertEquals(20, h.bitsPerSample());
    assertEquals(WavEncoding.PCM_24, h.encoding());
    assertEquals(1, h.frames());
    Audio a = WavReader.read(pcm);
    assertEquals(0.5f, a.sample(0, 0));
    assertEquals(-0.5f, a.sample(1, 0));
    assertEquals(0f, a.sample(2, 0));

    ByteBuffer f = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.3f);
    Path flt =
        file(
            "h.wav",
            new WavBytes()
                .chunk("fmt ", fmtExtensible(1, 28000, 32, 32, 3, true))
                .chunk("data", f.array())
                .build());
    assertEquals(WavEncoding.FLOAT_32, WavReader.readHeader(flt).encoding());
    assertEquals(0.3f, WavReader.read(flt).sample(0, 0));
  }

  @Test
  void skipsUnknownChunksHonouringOddPadding() throws IOException {
    // LIST (odd, padded) before fmt; odd junk chunk between fmt and data; odd data chunk (3 x
    // 8-bit) padded and followed by another LIST; the RIFF size field is wrong on purpose.
    byte[] wav =
        new WavBytes()
            .riffSize(12345)
            .chunk("LIST", "INFOx".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .chunk("fmt ", fmt(1, 1, 22050, 1, 8))
            .chunk("junk", bytes(1, 2, 3))
            .chunk("data", bytes(128, 255, 0))
            .chunk("LIST", bytes(9, 9, 9, 9, 9))
            .build();
    // header 12 + LIST 8+5+1 + fmt 8+16 + junk 8+3+1 + data 8+3+1 + LIST 8+5+1
    assertEquals(12 + 14 + 24 + 12 + 12 + 14, wav.length);
    Path p = file("odd.wav", wav);
    WavHeader h = WavReader.readHeader(p);
    assertEquals(3, h.frames());
    assertEquals(12 + 14 + 24 + 12 + 8, h.dataOffset());
    assertArrayEquals(new float[] {0f, 127f / 128, -1f}, WavReader.read(p).channel(0));
  }

  @Test
  void fmtAfterDataIsAccepted() throws IOException {
    byte[] wav =
        new WavBytes()
            .chunk("data", bytes(128, 0, 255))
            .chunk("fmt ", fmt(1, 1, 8000, 1, 8))
            .build();
    WavHeader h = WavReader.readHeader(file("late.wav", wav));
    assertEquals(20, h.dataOffset());
    assertArrayEquals(
        new float[] {0f, -1f, 127f / 128}, WavReader.read(file("late.wav", wav)).channel(0));
  }

  @Test
  void missingPadByteAfterFinalOddDataChunkIsAccepted() throws IOException {
    // Many writers omit the pad byte when the odd-sized data chunk ends the file.
    byte[] wav =
        new WavBytes()
            .chunk("fmt ", fmt(1, 1, 8000, 1, 8))
            .chunk("data", 3, bytes(128, 0, 255), false)
            .build();
    assertEquals(12 + 24 + 11, wav.length);
    assertArrayEquals(
        new float[] {0f, -1f, 127f / 128}, WavReader.read(file("np.wav", wav)).channel(0));
  }

  @Test
  void trailingPartialFrameIsNotCounted() throws IOException {
    byte[] wav =
        new WavBytes()
            .chunk("fmt ", fmt(1, 2, 8000, 4, 16))
            .chunk("data", bytes(0, 0, 0, 0, 1, 2))
            .build();
    assertEquals(1, WavReader.readHeader(file("p.wav", wav)).frames());
  }

  @Test
  void readsAFrameRangeBySeeking() throws IOException {
    int frames = 1000;
    float[][] s = new float[2][frames];
    for (int i = 0; i < frames; i++) {
      s[0][i] = (i - 500) / 32768f;
      s[1][i] = -(i - 500) / 32768f;
    }
    Path p = dir.resolve("r.wav");
    WavWriter.write(p, Audio.of(16000, s), WavEncoding.PCM_16);
    Audio r = WavReader.read(p, 250, 100);
    assertEquals(100, r.frames());
    assertArrayEquals(Arrays.copyOfRange(s[0], 250, 350), r.channel(0));
    assertArrayEquals(Arrays.copyOfRange(s[1], 250, 350), r.channel(1));
    assertEquals(0, WavReader.read(p, frames, 0).frames());
    assertArrayEquals(Arrays.copyOfRange(s[0], 990, 1000), WavReader.read(p, 990, 10).channel(0));
    assertThrows(IllegalArgumentException.class, () -> WavReader.read(p, 995, 10));
    assertThrows(IllegalArgumentException.class, () -> WavReader.read(p, -1, 10));
    assertThrows(IllegalArgumentException.class, () -> WavReader.read(p, 0, -1));
  }

  // ---- corruption: one exception type, one line naming the file, the problem and a fix ----

  private WavFormatException corrupt(String name, byte[] content) throws IOException {
    Path p = file(name, content);
    WavFormatException e = assertThrows(WavFormatException.class, () -> WavReader.read(p));
    String m = e.getMessage();
    assertFalse(m.contains("\n") || m.contains("\r"), m);
    assertTrue(m.contains(name), m);
    assertTrue(m.contains(";"), "message should end with a fix: " + m);
    // The header-only path must fail the same way.
    assertEquals(
        m, assertThrows(WavFormatException.class, () -> WavReader.readHeader(p)).getMessage());
    return e;
  }

  @Test
  void truncatedDataChunkHasTheDocumentedMessage() throws IOException {
    byte[] wav =
        new WavBytes()
            .chunk("fmt ", fmt(1, 1, 48000, 2, 16))
            .chunk("data", 960000, new byte[412], false)
            .build();
    assertEquals(
        "truncated WAV rec1.wav: data chunk says 960000 bytes but only 412 remain; re-copy the"
            + " file",
        corrupt("rec1.wav", wav).getMessage());
  }

  @Test
  void tooShortEmptyAndNotRiff() throws IOException {
    assertTrue(corrupt("empty.wav", new byte[0]).getMessage().contains("only 0 bytes"));
    assertTrue(corrupt("short.wav", bytes(1, 2, 3, 4, 5)).getMessage().contains("only 5 bytes"));
    assertTrue(
        corrupt("flac.wav", new WavBytes().riffId("fLaC").build())
            .getMessage()
            .contains("starts with 'fLaC' instead of 'RIFF'"));
    assertTrue(
        corrupt("big.wav", new WavBytes().riffId("RF64").build())
            .getMessage()
            .contains("RF64 WAV files are not supported"));
    assertTrue(
        corrupt("avi.wav", new WavBytes().formId("AVI ").build())
            .getMessage()
            .contains("form type is 'AVI '"));
  }

  @Test
  void missingFmtOrData() throws IOException {
    assertTrue(
        corrupt("nofmt.wav", new WavBytes().chunk("data", le16(1, 2)).build())
            .getMessage()
            .contains("no fmt chunk"));
    assertTrue(
        corrupt("nodata.wav", new WavBytes().chunk("fmt ", fmt(1, 1, 8000, 2, 16)).build())
            .getMessage()
            .contains("no data chunk"));
    assertTrue(corrupt("header.wav", new WavBytes().build()).getMessage().contains("no fmt chunk"));
  }

  @Test
  void unsupportedEncodings() throws IOException {
    assertTrue(
        corrupt(
                "adpcm.wav",
                new WavBytes().chunk("fmt ", fmt(2, 1, 8000, 2, 4)).chunk("data", le16(0)).build())
            .getMessage()
            .contains("format code 0x0002 (MS ADPCM)"));
    assertTrue(
        corrupt(
                "ulaw.wav",
                new WavBytes().chunk("fmt ", fmt(7, 1, 8000, 1, 8)).chunk("data", le16(0)).build())
            .getMessage()
            .contains("0x0007 (mu-law)"));
    assertTrue(
        corrupt(
                "f16.wav",
                new WavBytes().chunk("fmt ", fmt(3, 1, 8000, 2, 16)).chunk("data", le16(0)).build())
            .getMessage()
            .contains("16-bit float"));
    assertTrue(
        corrupt(
                "guid.wav",
                new WavBytes()
                    .chunk("fmt ", fmtExtensible(1, 8000, 16, 16, 1, false))
                    .chunk("data", le16(0))
                    .build())
            .getMessage()
            .contains("extensible sub-format"));
    assertTrue(
        corrupt(
                "shortext.wav",
                new WavBytes()
                    .chunk("fmt ", Arrays.copyOf(fmt(0xFFFE, 1, 8000, 2, 16), 18))
                    .chunk("data", le16(0))
                    .build())
            .getMessage()
            .contains("WAVE_FORMAT_EXTENSIBLE fmt chunk is 18 bytes"));
  }

  @Test
  void impossibleFmtFields() throws IOException {
    assertTrue(
        corrupt(
                "zeroch.wav",
                new WavBytes().chunk("fmt ", fmt(1, 0, 8000, 0, 16)).chunk("data", le16(0)).build())
            .getMessage()
            .contains("0 channels"));
    assertTrue(
        corrupt(
                "zerorate.wav",
                new WavBytes().chunk("fmt ", fmt(1, 1, 0, 2, 16)).chunk("data", le16(0)).build())
            .getMessage()
            .contains("sample rate 0 Hz"));
    assertTrue(
        corrupt(
                "align.wav",
                new WavBytes().chunk("fmt ", fmt(1, 2, 8000, 2, 16)).chunk("data", le16(0)).build())
            .getMessage()
            .contains("2 bytes per frame but 2 channels of 16 bits need 4"));
    assertTrue(
        corrupt(
                "fmt12.wav",
                new WavBytes().chunk("fmt ", new byte[12]).chunk("data", le16(0)).build())
            .getMessage()
            .contains("fmt chunk is 12 bytes"));
  }

  @Test
  void otherChunkRunningPastTheEnd() throws IOException {
    byte[] wav =
        new WavBytes()
            .chunk("LIST", 1000, new byte[10], false)
            .chunk("fmt ", fmt(1, 1, 8000, 2, 16))
            .build();
    assertTrue(
        corrupt("list.wav", wav).getMessage().contains("LIST chunk says 1000 bytes but only"));
  }
}

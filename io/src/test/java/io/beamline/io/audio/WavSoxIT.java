package io.beamline.io.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interop with SoX: we read WAVs that sox writes, and sox reads ours.
 *
 * <p>Skipped when {@code sox} is not on the PATH, unless {@code BEAMLINE_REQUIRE_INTEROP=1}, in
 * which case a missing sox fails the run (see {@link io.beamline.io.testing.Interop}). Runs under
 * failsafe in {@code mvn verify}, and with {@code mvn -o test -pl io
 * -Dtest='io.beamline.io.audio.**'} (an explicit pattern includes ITs).
 */
class WavSoxIT {
  @TempDir Path dir;

  @BeforeEach
  void requireSox() {
    io.beamline.io.testing.Interop.require("sox");
  }

  record Result(int code, String out) {}

  static Result run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
      return new Result(p.exitValue(), out.trim());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static String ok(List<String> cmd) throws IOException {
    Result r = run(cmd);
    assertEquals(0, r.code, String.join(" ", cmd) + ": " + r.out);
    return r.out;
  }

  /** sox's own decode of {@code wav} as little-endian 32-bit float, channels interleaved. */
  float[] soxDecode(Path wav) throws IOException {
    Path raw = dir.resolve(wav.getFileName() + ".f32");
    ok(List.of("sox", wav.toString(), "-t", "f32", "-L", raw.toString()));
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static void assertSame(Audio a, float[] interleaved, double tol) {
    assertEquals(a.frames() * a.channels(), interleaved.length);
    for (int i = 0; i < a.frames(); i++) {
      for (int c = 0; c < a.channels(); c++) {
        float expected = interleaved[i * a.channels() + c];
        if (Math.abs(expected - a.sample(c, i)) > tol) {
          fail("frame " + i + " channel " + c + ": sox " + expected + " vs " + a.sample(c, i));
        }
      }
    }
  }

  static Stream<Arguments> soxFormats() {
    List<Arguments> out = new ArrayList<>();
    String[][] encodings = {
      {"8", "unsigned-integer"},
      {"16", "signed-integer"},
      {"24", "signed-integer"},
      {"32", "signed-integer"},
      {"32", "floating-point"},
      {"64", "floating-point"}
    };
    for (String[] e : encodings) {
      for (int ch : new int[] {1, 2, 6}) {
        out.add(Arguments.of(e[0], e[1], ch));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "sox -b {0} -e {1} -c {2}")
  @MethodSource("soxFormats")
  void readsWhatSoxWrites(String bits, String encoding, int channels) throws IOException {
    Path wav = dir.resolve("sox_" + bits + "_" + encoding + "_" + channels + ".wav");
    // 0.25 s of sine tones at 22.05 kHz; gain keeps them away from clipping.
    ok(
        List.of(
            "sox",
            "-n",
            "-r",
            "22050",
            "-c",
            String.valueOf(channels),
            "-b",
            bits,
            "-e",
            encoding,
            wav.toString(),
            "synth",
            "0.25",
            "sine",
            "440",
            "sine",
            "1000",
            "gain",
            "-3"));
    WavHeader h = WavReader.readHeader(wav);
    assertEquals(22050, h.sampleRate());
    assertEquals(channels, h.channels());
    assertEquals(Integer.parseInt(bits), h.encoding().bits());
    assertEquals(encoding.startsWith("floating"), h.encoding().isFloat());
    assertEquals(Long.parseLong(ok(List.of("sox", "--i", "-s", wav.toString()))), h.frames());
    Audio a = WavReader.read(wav);
    assertSame(a, soxDecode(wav), 1e-6);
  }

  static Stream<Arguments> ourFormats() {
    return Stream.of(WavEncoding.values())
        .flatMap(e -> Stream.of(1, 2, 6).map(c -> Arguments.of(e, c)));
  }

  @ParameterizedTest(name = "{0} x {1} channels")
  @MethodSource("ourFormats")
  void soxReadsWhatWeWrite(WavEncoding enc, int channels) throws IOException {
    float[][] s = WavWriterTest.exactSamples(enc, channels, 1001, 7);
    Audio a = Audio.of(28000, s);
    Path wav = dir.resolve("ours_" + enc + "_" + channels + ".wav");
    WavWriter.write(wav, a, enc);
    assertEquals("28000", ok(List.of("sox", "--i", "-r", wav.toString())));
    assertEquals(String.valueOf(channels), ok(List.of("sox", "--i", "-c", wav.toString())));
    assertEquals("1001", ok(List.of("sox", "--i", "-s", wav.toString())));
    assertEquals(String.valueOf(enc.bits()), ok(List.of("sox", "--i", "-b", wav.toString())));
    String soxEncoding = ok(List.of("sox", "--i", "-e", wav.toString()));
    String expected =
        enc.isFloat()
            ? "Floating Point PCM"
            : enc == WavEncoding.PCM_8 ? "Unsigned Integer PCM" : "Signed Integer PCM";
    assertEquals(expected, soxEncoding);
    // sox converts through 32-bit integers, so float samples come back to within 2^-31 (and
    // values above full scale clip); these samples stay inside [-1, 1).
    assertSame(a, soxDecode(wav), 1e-6);
  }
}

package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.FlagAlias;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.Description;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline infer chunk} from the command line: the seed's {@code --output}, and a folder of
 * mostly bad WAVs ending with exit status 3 and a line saying how many recordings failed.
 */
class InferChunkCommandTest {
  @TempDir Path dir;

  /** One good recording and four bad ones: truncated, a lying header, text, empty. */
  private Path badCorpus() throws Exception {
    Path rec = dir.resolve("recordings");
    Files.createDirectories(rec);
    float[][] x = new float[1][22_050 * 2];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) (0.3 * Math.sin(i * 0.2));
    }
    byte[] good = WavWriter.toBytes(Audio.of(22_050, x), WavEncoding.PCM_16);
    Files.write(rec.resolve("good.wav"), good);
    Files.write(rec.resolve("truncated.wav"), Arrays.copyOf(good, good.length / 3));
    byte[] lying = good.clone();
    ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 0);
    Files.write(rec.resolve("lying.wav"), lying);
    Files.writeString(rec.resolve("text.wav"), "recorded at dawn, see notebook\n");
    Files.write(rec.resolve("empty.wav"), new byte[0]);
    return rec;
  }

  @Test
  void fourBadWavsOfFiveExitThreeAndSaySo() throws Exception {
    Path rec = badCorpus();
    Path out = dir.resolve("out");
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output", out.toString());
    assertEquals(3, r.code(), r.err());
    assertThat(r.out(), containsString("partial"));
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("beamline infer chunk: 4 of 5 items failed"));
    assertThat(r.err(), containsString(out.resolve("commits/infer-chunk").toString()));
    // The seed's --output is the output directory.
    assertTrue(Files.isRegularFile(out.resolve("manifests/good.csv")));
    assertEquals(1, Files.list(out.resolve("chunks/good")).count());

    // Run again: the good recording is skipped, the bad ones fail again; still exit 3.
    BeamlineCliTest.Result again =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output-dir", out.toString());
    assertEquals(3, again.code(), again.err());
    assertThat(again.err(), containsString("4 of 4 items failed"));

    // Fixed: every recording committed, exit 0.
    for (String bad : List.of("truncated", "lying", "text", "empty")) {
      Files.delete(rec.resolve(bad + ".wav"));
    }
    BeamlineCliTest.Result fixed =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output", out.toString());
    assertEquals(0, fixed.code(), fixed.err());
  }

  @Test
  void helpNamesTheSeedSpellingBesideTheFlag() {
    BeamlineCliTest.Result r = BeamlineCliTest.run("infer", "chunk", "--help");
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("--output, --output-dir=<OUTPUT_DIR>"));
  }

  /** Options whose alias names a property that does not exist. */
  @FlagAlias(flag = "--sockeye-nothing", property = "nothing")
  public interface BadAliasOptions extends BeamlineToolOptions {
    @Description("A flag")
    String getSomething();

    void setSomething(String v);
  }

  /** Options whose alias is not a flag name. */
  @FlagAlias(flag = "-x", property = "something")
  public interface BadNameOptions extends BeamlineToolOptions {
    @Description("A flag")
    String getSomething();

    void setSomething(String v);
  }

  @Test
  void anAliasMustNameAPropertyAndBeAFlag() {
    assertThat(
        assertThrows(IllegalStateException.class, () -> OptionFlags.aliases(BadAliasOptions.class))
            .getMessage(),
        containsString("names no property nothing"));
    assertThat(
        assertThrows(IllegalStateException.class, () -> OptionFlags.aliases(BadNameOptions.class))
            .getMessage(),
        containsString("not a --kebab-case flag name"));
  }
}

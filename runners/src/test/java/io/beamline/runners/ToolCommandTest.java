package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.UserInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generic tool command: flags from an options interface, a positional argument, errors. */
class ToolCommandTest {
  @TempDir Path dir;

  /** Options of the test tool: counts the lines of a file that contain a word. */
  public interface GrepOptions extends BeamlineToolOptions {
    @Description("File to read")
    @Validation.Required
    String getInputFile();

    void setInputFile(String v);

    @Description("Word to count")
    @Default.String("beam")
    String getWord();

    void setWord(String v);

    @Description("Lines to skip at the top")
    @Default.Integer(0)
    int getSkipLines();

    void setSkipLines(int v);
  }

  /** Counts matching lines; a missing file is a user error. */
  static final class GrepTool implements BeamlineTool<GrepOptions> {
    @Override
    public List<String> commandPath() {
      return List.of("infer", "grep");
    }

    @Override
    public String summary() {
      return "Count lines containing a word";
    }

    @Override
    public Class<GrepOptions> optionsClass() {
      return GrepOptions.class;
    }

    @Override
    public String positional() {
      return "inputFile";
    }

    @Override
    public int run(GrepOptions o, PrintWriter out, PrintWriter err) throws Exception {
      Path p = Path.of(o.getInputFile());
      if (!Files.isRegularFile(p)) {
        throw new UserInputException(p + " does not exist; give an existing file");
      }
      long n =
          Files.readAllLines(p).stream()
              .skip(o.getSkipLines())
              .filter(l -> l.contains(o.getWord()))
              .count();
      if (n == 0) {
        throw new IllegalStateException("no line matches\nsecond line never shown");
      }
      out.println("matches=" + n);
      return 0;
    }
  }

  private BeamlineCliTest.Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new Beamline(
                new PrintWriter(out, true), new PrintWriter(err, true), List.of(new GrepTool()))
            .execute(args);
    return new BeamlineCliTest.Result(code, out.toString(), err.toString());
  }

  private Path file() throws Exception {
    Path f = dir.resolve("in.txt");
    Files.write(f, List.of("beam one", "spark", "beam two", "kafka beam"));
    return f;
  }

  @Test
  void positionalAndFlagsBothWork() throws Exception {
    Path f = file();
    assertEquals("matches=3", run("infer", "grep", f.toString()).out().strip());
    assertEquals("matches=3", run("infer", "grep", "--input-file", f.toString()).out().strip());
    assertEquals("matches=2", run("infer", "grep", f.toString(), "--skip_lines=1").out().strip());
    assertEquals("matches=1", run("infer", "grep", f.toString(), "--word", "spark").out().strip());
  }

  @Test
  void helpListsToolUnderItsGroupWithItsFlags() {
    BeamlineCliTest.Result group = run("infer", "--help");
    assertThat(group.out(), containsString("grep"));
    assertThat(group.out(), containsString("chunk"));
    BeamlineCliTest.Result help = run("infer", "grep", "--help");
    assertEquals(0, help.code());
    assertThat(help.out(), containsString("--skip-lines"));
    assertThat(help.out(), containsString("(default: beam)"));
    assertThat(help.out(), containsString("INPUT_FILE"));
  }

  @Test
  void errorsAreOneLineWithTheRightStatus() throws Exception {
    Path f = file();
    BeamlineCliTest.Result missing = run("infer", "grep");
    assertEquals(2, missing.code());
    assertEquals(1, missing.errLines().size(), missing.err());
    assertThat(missing.err(), containsString("inputFile"));

    BeamlineCliTest.Result twice = run("infer", "grep", f.toString(), "--input-file", "x");
    assertEquals(2, twice.code());
    assertThat(twice.err(), containsString("given twice"));

    BeamlineCliTest.Result unknown = run("infer", "grep", f.toString(), "--colour", "red");
    assertEquals(2, unknown.code());
    assertThat(unknown.err(), containsString("--colour"));

    BeamlineCliTest.Result badValue = run("infer", "grep", f.toString(), "--skip-lines", "x");
    assertEquals(2, badValue.code());
    assertEquals(1, badValue.errLines().size(), badValue.err());

    BeamlineCliTest.Result noFile = run("infer", "grep", dir.resolve("nope").toString());
    assertEquals(2, noFile.code());
    assertThat(noFile.err(), containsString("does not exist"));

    BeamlineCliTest.Result failed = run("infer", "grep", f.toString(), "--word", "zzz");
    assertEquals(1, failed.code());
    assertEquals(1, failed.errLines().size(), failed.err());
    Path log = io.beamline.framework.run.RunConsole.fallbackLog();
    assertEquals(
        "beamline infer grep failed: no line matches (details: " + log + ")", failed.err().strip());
    // Outside a run, the stack trace is kept in the fallback log the line names.
    assertThat(
        Files.readString(log), containsString("java.lang.IllegalStateException: no line matches"));

    BeamlineCliTest.Result runnerFlag = run("infer", "grep", f.toString(), "--runner", "X");
    assertEquals(2, runnerFlag.code(), "tools take no runner flags");
  }
}

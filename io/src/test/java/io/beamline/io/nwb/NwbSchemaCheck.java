package io.beamline.io.nwb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.testing.Interop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.slf4j.LoggerFactory;

/**
 * Checks NWB files with the tools users read them with: hdmf's validator against the specifications
 * cached in the file ({@code validate_nwb.py}), and jHDF with its log captured. Shared by the io
 * and pipelines tests.
 *
 * <pre>{@code
 * NwbSchemaCheck.assertValid(path);            // hdmf: cached core 2.7.0, no errors
 * List<String> w = NwbSchemaCheck.jhdfWarnings(path);
 * }</pre>
 */
public final class NwbSchemaCheck {
  private NwbSchemaCheck() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Runs hdmf's validator on each file against the namespaces cached in it (one Python process for
   * all); skips (fails under {@code BEAMLINE_REQUIRE_INTEROP=1}) without python3 with h5py and
   * hdmf. Returns one report per file: {@code cached} (namespace -> version), {@code
   * typed_objects}, {@code errors}.
   */
  public static List<JsonNode> validate(List<Path> files) throws IOException {
    Interop.requirePython("h5py", "hdmf");
    String script;
    try (InputStream in = NwbSchemaCheck.class.getResourceAsStream("validate_nwb.py")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String[] args = files.stream().map(Path::toString).toArray(String[]::new);
    Interop.Result r = Interop.python(script, args).assertSuccess("hdmf validation");
    List<JsonNode> reports = new ArrayList<>();
    for (String line : r.stdout().strip().split("\n")) {
      if (line.startsWith("{")) {
        reports.add(JSON.readTree(line));
      }
    }
    assertEquals(files.size(), reports.size(), r.stdout());
    return reports;
  }

  /** {@link #validate(List)} for one file. */
  public static JsonNode validate(Path nwb) throws IOException {
    return validate(List.of(nwb)).get(0);
  }

  /** Asserts that hdmf found the cached core and hdmf-common namespaces and no error. */
  public static JsonNode assertValid(Path nwb) throws IOException {
    return assertValid(validate(nwb), nwb);
  }

  /** {@link #assertValid(Path)} for a report {@link #validate} gave for {@code nwb}. */
  public static JsonNode assertValid(JsonNode report, Path nwb) {
    String where = nwb + ": " + report;
    assertEquals(NwbWriter.NWB_VERSION, report.path("cached").path("core").asText(), where);
    assertEquals(
        NwbWriter.HDMF_COMMON_VERSION, report.path("cached").path("hdmf-common").asText(), where);
    assertEquals(0, report.path("errors").size(), "hdmf validation errors in " + where);
    assertTrue(report.path("typed_objects").asInt() >= 1, where);
    return report;
  }

  /**
   * Reads every group, attribute and dataset of {@code nwb} with jHDF and returns what jHDF logged
   * at WARN or above while doing so (its loggers {@code io.jhdf.*}, through log4j).
   */
  public static List<String> jhdfWarnings(Path nwb) throws IOException {
    // The capture is log4j's: make sure jHDF's slf4j calls really end there.
    String factory = LoggerFactory.getILoggerFactory().getClass().getName();
    assertTrue(
        factory.toLowerCase(java.util.Locale.ROOT).contains("log4j"),
        "slf4j is bound to " + factory + ", not log4j");
    List<String> warnings = new ArrayList<>();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    AbstractAppender appender =
        new AbstractAppender("nwb-jhdf-capture", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
              synchronized (warnings) {
                warnings.add(
                    event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
              }
            }
          }
        };
    appender.start();
    LoggerConfig previous = config.getLoggers().get("io.jhdf");
    LoggerConfig capture = new LoggerConfig("io.jhdf", Level.WARN, false);
    capture.addAppender(appender, Level.WARN, null);
    config.addLogger("io.jhdf", capture);
    ctx.updateLoggers();
    try {
      JhdfReadBack.verify(nwb);
    } finally {
      config.removeLogger("io.jhdf");
      if (previous != null) {
        config.addLogger("io.jhdf", previous);
      }
      ctx.updateLoggers();
      appender.stop();
    }
    return warnings;
  }
}

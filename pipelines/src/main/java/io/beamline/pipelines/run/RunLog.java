package io.beamline.pipelines.run;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Copies everything logged at INFO and above (Beamline, Beam, Spark) into the run's {@code run.log}
 * while the run lasts. Works through Log4j 2, the logging back end Spark also uses.
 */
final class RunLog implements AutoCloseable {
  private final LoggerContext context;
  private final FileAppender appender;

  private RunLog(LoggerContext context, FileAppender appender) {
    this.context = context;
    this.appender = appender;
  }

  static RunLog attach(Path file, String runId) {
    if (!(LogManager.getContext(false) instanceof LoggerContext)) {
      return new RunLog(null, null);
    }
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    PatternLayout layout =
        PatternLayout.newBuilder()
            .withConfiguration(config)
            .withPattern(
                "%d{yyyy-MM-dd'T'HH:mm:ss.SSS}{UTC}Z %-5level [%t] %logger{1.} - %msg%n%throwable")
            .build();
    FileAppender app =
        FileAppender.newBuilder()
            .setName("run-" + runId)
            .withFileName(file.toString())
            .withAppend(true)
            .setLayout(layout)
            .setConfiguration(config)
            .build();
    app.start();
    config.addAppender(app);
    LoggerConfig root = config.getRootLogger();
    root.addAppender(app, Level.INFO, null);
    if (root.getLevel().isMoreSpecificThan(Level.INFO) && root.getLevel() != Level.INFO) {
      root.setLevel(Level.INFO);
    }
    for (LoggerConfig lc : config.getLoggers().values()) {
      if (lc != root && !lc.isAdditive()) {
        lc.addAppender(app, Level.INFO, null);
      }
    }
    ctx.updateLoggers();
    return new RunLog(ctx, app);
  }

  @Override
  public void close() {
    if (context == null) {
      return;
    }
    Configuration config = context.getConfiguration();
    for (LoggerConfig lc : config.getLoggers().values()) {
      lc.removeAppender(appender.getName());
    }
    config.getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}

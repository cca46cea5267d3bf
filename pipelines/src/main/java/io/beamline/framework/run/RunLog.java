package io.beamline.framework.run;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Copies everything logged at INFO and above (Beamline, Beam, Spark, Kafka, every thread) into the
 * run's {@code run.log} while the run lasts. Works through Log4j 2, the logging back end Spark also
 * uses. The first run of a command line also gets what was logged before it started (see {@link
 * RunConsole#install()}), and while any run lasts the fallback log is set aside, since the run's
 * own log holds everything.
 */
public final class RunLog implements AutoCloseable {
  /** Runs attached in this JVM now; the fallback log is set aside while there is one. */
  private static int attached;

  private static Appender fallback;

  private final LoggerContext context;
  private final FileAppender appender;

  private RunLog(LoggerContext context, FileAppender appender) {
    this.context = context;
    this.appender = appender;
  }

  /**
   * Starts copying everything logged into {@code file} (appending) until {@link #close()}; {@code
   * name} names the appender. Runs attach their {@code run.log} here; long-lived services such as
   * {@code beamline monitor serve} their own log.
   */
  public static RunLog attach(Path file, String name) {
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
            .setName("run-" + name)
            .withFileName(file.toString())
            .withAppend(true)
            .setLayout(layout)
            .setConfiguration(config)
            .build();
    app.start();
    // What was logged before the run (validation, engine detection) first, in its order.
    RunConsole.drainStartup(app, ctx);
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
    setFallbackAside(root);
    ctx.updateLoggers();
    return new RunLog(ctx, app);
  }

  private static synchronized void setFallbackAside(LoggerConfig root) {
    if (attached++ == 0) {
      fallback = root.getAppenders().get(RunConsole.FALLBACK);
      if (fallback != null) {
        root.removeAppender(RunConsole.FALLBACK);
      }
    }
  }

  private static synchronized void restoreFallback(LoggerConfig root) {
    if (--attached == 0 && fallback != null) {
      root.addAppender(fallback, null, null);
      fallback = null;
    }
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
    restoreFallback(config.getRootLogger());
    context.updateLoggers();
    appender.stop();
  }
}

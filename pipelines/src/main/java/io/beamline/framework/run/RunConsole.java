package io.beamline.framework.run;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.appender.RollingFileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * What reaches the terminal, and where everything else goes. The command line's log configuration
 * ({@code log4j2.xml} of the runners module) shows on the terminal only
 *
 * <ul>
 *   <li>lines of Beamline's own loggers ({@code io.beamline.*}) marked {@link #PROGRESS}: what a
 *       person follows while a run goes ({@code LOG.info(RunConsole.PROGRESS, "...")});
 *   <li>WARN and ERROR of Beamline's own loggers, without stack traces, unless marked {@link
 *       #LOG_ONLY} (the command line reports that failure itself, on one line).
 * </ul>
 *
 * <p>Everything at INFO and above, ours and every library's (Beam, Spark, Kafka, jHDF, DJL...),
 * goes to the run's {@code run.log} while a run lasts ({@link RunLog}) and, outside a run, to the
 * fallback log ({@code $TMPDIR/beamline-<user>.log}, or the file named by the system property
 * {@code beamline.log.file}). {@link #install()} also sends {@code java.util.logging} there (no JUL
 * console handler) and keeps what was logged before the first run started, so that run's {@code
 * run.log} holds it too.
 */
public final class RunConsole {
  /** A progress line for the terminal (and the log). */
  public static final Marker PROGRESS = MarkerFactory.getMarker("PROGRESS");

  /** An error the command line reports itself: in the log only. */
  public static final Marker LOG_ONLY = MarkerFactory.getMarker("LOG_ONLY");

  /** Name of the fallback appender in {@code log4j2.xml}. */
  static final String FALLBACK = "Fallback";

  /** Events kept from before the first run, at most. */
  static final int STARTUP_EVENTS = 5_000;

  private static StartupBuffer startup;

  private RunConsole() {}

  /**
   * Called first thing by the command line's {@code main}: routes {@code java.util.logging} into
   * Log4j and starts keeping what is logged until the next run attaches its {@code run.log} (which
   * then holds it). Calling it again while it keeps events changes nothing.
   */
  public static synchronized void install() {
    routeJulToLog4j();
    if ((startup == null || startup.closed())
        && LogManager.getContext(false) instanceof LoggerContext ctx) {
      StartupBuffer buffer = new StartupBuffer(STARTUP_EVENTS);
      buffer.start();
      Configuration config = ctx.getConfiguration();
      config.addAppender(buffer);
      config.getRootLogger().addAppender(buffer, Level.INFO, null);
      for (LoggerConfig lc : config.getLoggers().values()) {
        if (lc != config.getRootLogger() && !lc.isAdditive()) {
          lc.addAppender(buffer, Level.INFO, null);
        }
      }
      ctx.updateLoggers();
      startup = buffer;
    }
  }

  /**
   * Hands the events kept since {@link #install()} to {@code target} (the first run's {@code
   * run.log}) and stops keeping them; later calls hand nothing.
   */
  static synchronized void drainStartup(Appender target, LoggerContext ctx) {
    StartupBuffer buffer = startup;
    if (buffer == null || buffer.closed()) {
      return;
    }
    Configuration config = ctx.getConfiguration();
    for (LoggerConfig lc : config.getLoggers().values()) {
      lc.removeAppender(buffer.getName());
    }
    config.getRootLogger().removeAppender(buffer.getName());
    ctx.updateLoggers();
    // Closed, not stopped: a thread still holding the old logger wiring appends to nothing,
    // where a stopped appender would make Log4j complain on stderr.
    for (LogEvent e : buffer.close()) {
      target.append(e);
    }
    if (buffer.dropped() > 0) {
      LogManager.getLogger(RunConsole.class)
          .info(
              "{} earlier start-up log events were not kept here; see {}",
              buffer.dropped(),
              fallbackLog());
    }
  }

  /** The fallback log file (may not exist yet: it is created on the first event), or null. */
  public static Path fallbackLog() {
    if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
      return null;
    }
    Appender a = ctx.getConfiguration().getAppender(FALLBACK);
    if (a instanceof RollingFileAppender r) {
      return Paths.get(r.getFileName()).toAbsolutePath();
    }
    return null;
  }

  /**
   * Replaces the handlers of {@code java.util.logging}'s root logger (by default one console
   * handler writing INFO and above to stderr) with one that hands each record to Log4j, under the
   * same logger name.
   */
  static void routeJulToLog4j() {
    java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      if (h instanceof JulToLog4j) {
        return;
      }
    }
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    root.addHandler(new JulToLog4j());
  }

  /** A {@code java.util.logging} handler that logs each record through Log4j. */
  static final class JulToLog4j extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord r) {
      if (r == null) {
        return;
      }
      String name = r.getLoggerName() == null ? "jul" : r.getLoggerName();
      LogManager.getLogger(name)
          .log(level(r.getLevel()), formatter.formatMessage(r), r.getThrown());
    }

    static Level level(java.util.logging.Level l) {
      int v = l.intValue();
      if (v >= java.util.logging.Level.SEVERE.intValue()) {
        return Level.ERROR;
      } else if (v >= java.util.logging.Level.WARNING.intValue()) {
        return Level.WARN;
      } else if (v >= java.util.logging.Level.INFO.intValue()) {
        return Level.INFO;
      } else if (v >= java.util.logging.Level.FINE.intValue()) {
        return Level.DEBUG;
      }
      return Level.TRACE;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** Keeps the first {@code capacity} events (immutable copies) and counts the rest. */
  static final class StartupBuffer extends AbstractAppender {
    private final int capacity;
    private final List<LogEvent> events = new ArrayList<>();
    private long dropped;
    private boolean closed;

    StartupBuffer(int capacity) {
      super("startup", null, null, true, Property.EMPTY_ARRAY);
      this.capacity = capacity;
    }

    @Override
    public synchronized void append(LogEvent event) {
      if (closed) {
        return;
      }
      if (events.size() < capacity) {
        events.add(event.toImmutable());
      } else {
        dropped++;
      }
    }

    synchronized boolean closed() {
      return closed;
    }

    /** Stops keeping events; returns those kept. */
    synchronized List<LogEvent> close() {
      closed = true;
      List<LogEvent> kept = List.copyOf(events);
      events.clear();
      return kept;
    }

    synchronized long dropped() {
      return dropped;
    }
  }
}

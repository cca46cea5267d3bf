package io.beamline.runners.monitor;

import io.beamline.framework.run.RunLog;
import io.beamline.io.kafka.KafkaUnreachableException;
import io.beamline.runners.monitor.db.InvalidValueException;
import io.beamline.runners.monitor.db.MonitorDatabase;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code beamline monitor serve}: opens the database, starts the HTTP server (and the broker ingest
 * with {@code --broker}), prints where it is, and serves until SIGTERM or Ctrl-C, when it stops the
 * ingest (offsets committed), the server and the database in that order.
 */
public final class MonitorService {
  /** The monitor's default port. */
  public static final int DEFAULT_PORT = 8765;

  /** Seconds between keep-alive comments on the live stream. */
  static final long KEEP_ALIVE_SECONDS = 30;

  /**
   * What {@code monitor serve} was asked for.
   *
   * @param outputDir holds {@code monitor.token} and {@code monitor/} (the H2 file, run.log)
   * @param host the address to bind (loopback by default)
   * @param port the port (0: any free one)
   * @param token the write token, or null to reuse {@code monitor.token} or generate one
   * @param dbUrl a {@code jdbc:postgresql:} or {@code jdbc:h2:} URL, or null for the H2 file
   * @param broker {@code HOST:PORT} of a Kafka broker to read, or null
   * @param agentTimeoutSeconds silence after which an agent is marked EXITED
   */
  public record Settings(
      Path outputDir,
      String host,
      int port,
      String token,
      String dbUrl,
      String dbUser,
      String dbPassword,
      String broker,
      int agentTimeoutSeconds) {
    /** Checks the values a user may get wrong; each refusal is one line naming the flag. */
    public Settings {
      if (port < 0 || port > 65535) {
        throw new InvalidValueException("--port must be between 0 and 65535, got " + port);
      }
      if (agentTimeoutSeconds < 1) {
        throw new InvalidValueException(
            "--agent-timeout-seconds must be at least 1, got " + agentTimeoutSeconds);
      }
      if (token != null && token.length() < 16) {
        throw new InvalidValueException(
            "--token must be at least 16 characters (leave it out to generate one)");
      }
      if (broker != null && !broker.matches("[^:\\s]+:\\d+(,[^:\\s]+:\\d+)*")) {
        throw new InvalidValueException("--broker must be HOST:PORT, got '" + broker + "'");
      }
    }
  }

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Asks {@link #serve} to stop, as SIGTERM does; it returns 0 once everything is closed. */
  public void stop() {
    stopRequested.countDown();
  }

  /**
   * Serves until the JVM is asked to stop; returns the exit status (2 for a bad flag or an address
   * in use, 1 when the database or broker fails).
   */
  public int serve(Settings s, PrintWriter out, PrintWriter err) {
    String cmd = "beamline monitor serve";
    Path dir = s.outputDir().resolve("monitor");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      err.println(
          cmd
              + ": cannot create "
              + dir
              + " ("
              + e.getMessage()
              + "); pick a writable"
              + " --output-dir");
      return 2;
    }
    RunLog log = RunLog.attach(dir.resolve("run.log"), "monitor");
    MonitorDatabase db = null;
    MonitorServer server = null;
    Thread hook = null;
    try {
      Path tokenFile = s.outputDir().resolve("monitor.token");
      String token = s.token() != null ? s.token() : token(tokenFile);
      String url = s.dbUrl() != null ? s.dbUrl() : MonitorDatabase.h2Url(dir);
      db = MonitorDatabase.open(url, s.dbUser(), s.dbPassword());
      server =
          MonitorServer.start(
              db,
              s.host(),
              s.port(),
              token,
              Duration.ofSeconds(s.agentTimeoutSeconds()),
              KEEP_ALIVE_SECONDS);
      if (s.broker() != null) {
        server.readBroker(s.broker());
      }
      String hostPart = s.host().contains(":") ? "[" + s.host() + "]" : s.host();
      out.println("monitor: http://" + hostPart + ":" + server.port() + "/");
      out.println(
          "token: "
              + (s.token() != null ? "from --token" : tokenFile.toString())
              + " (writes need 'Authorization: Bearer <token>')");
      out.println(
          "status: serving; database "
              + db.describe()
              + " (schema v"
              + db.schemaVersion()
              + "); broker "
              + (s.broker() == null ? "off" : s.broker() + " (group " + KafkaIngest.GROUP + ")")
              + "; log "
              + dir.resolve("run.log")
              + "; Ctrl-C stops");
      out.flush();
      // SIGTERM and Ctrl-C run this hook: it wakes serve() and waits until serve() has closed
      // everything (the JVM halts when the hook returns).
      hook =
          new Thread(
              () -> {
                stopRequested.countDown();
                try {
                  stopped.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "monitor-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      stopRequested.await();
      return 0;
    } catch (InvalidValueException e) {
      err.println(cmd + ": " + e.getMessage());
      return 2;
    } catch (JavalinBindException e) {
      err.println(
          cmd
              + ": cannot listen on "
              + s.host()
              + ":"
              + s.port()
              + " ("
              + firstLine(e.getMessage())
              + "); pick another --port or stop what uses it");
      return 2;
    } catch (KafkaUnreachableException e) {
      err.println(cmd + ": --broker " + s.broker() + ": " + firstLine(e.getMessage()));
      return 2;
    } catch (SQLException | IOException e) {
      err.println(cmd + " failed: " + firstLine(e.getMessage()));
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      if (server != null) {
        server.close();
      }
      if (db != null) {
        db.close();
      }
      log.close();
      stopped.countDown();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // The JVM is already stopping: the hook is running.
        }
      }
    }
  }

  /**
   * The token in {@code file}, or a new random one written there first (owner read/write only), so
   * clients keep working across restarts of the monitor.
   */
  static String token(Path file) throws IOException {
    if (Files.isRegularFile(file)) {
      String t = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (t.length() >= 16) {
        return t;
      }
    }
    byte[] raw = new byte[24];
    new SecureRandom().nextBytes(raw);
    String t = HexFormat.of().formatHex(raw);
    Path tmp =
        Files.createTempFile(
            file.toAbsolutePath().getParent(),
            ".monitor.token",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, t + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return t;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}

package io.beamline.runners.monitor.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The monitor's database: opens it (an embedded H2 file, or any PostgreSQL server by JDBC URL),
 * brings its schema to the newest version with Flyway ({@code db/monitor/V*.sql} on the classpath),
 * and runs work in transactions over a small pool of connections.
 *
 * <pre>{@code
 * try (MonitorDatabase db = MonitorDatabase.open(MonitorDatabase.h2Url(dir), null, null)) {
 *   long run = db.nextRunNumber();
 * }
 * }</pre>
 */
public final class MonitorDatabase implements AutoCloseable {
  /** Where the migrations live on the classpath. */
  static final String MIGRATIONS = "classpath:db/monitor";

  private static final int POOL_SIZE = 16;

  private final String url;
  private final ConnectionPool pool;
  private final int schemaVersion;

  private MonitorDatabase(String url, ConnectionPool pool, int schemaVersion) {
    this.url = url;
    this.pool = pool;
    this.schemaVersion = schemaVersion;
  }

  /**
   * The JDBC URL of the embedded database file {@code <dir>/monitor} (H2 adds {@code .mv.db}), in
   * H2's PostgreSQL mode; concurrent writers wait up to 10 s for a row lock.
   */
  public static String h2Url(Path dir) {
    return "jdbc:h2:file:"
        + dir.toAbsolutePath().resolve("monitor")
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000";
  }

  /**
   * Opens the database at {@code url} ({@code jdbc:h2:...} or {@code jdbc:postgresql://...}),
   * migrating its schema. {@code user} and {@code password} may be null (then from the URL).
   *
   * @throws InvalidValueException for a URL of another database
   * @throws SQLException when the database cannot be reached or migrated
   */
  public static MonitorDatabase open(String url, String user, String password) throws SQLException {
    if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
      throw new InvalidValueException(
          "--db-url must be jdbc:postgresql://HOST:PORT/DB or jdbc:h2:file:PATH, got '"
              + url
              + "'");
    }
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    MigrateResult result;
    try {
      result =
          Flyway.configure(MonitorDatabase.class.getClassLoader())
              .dataSource(url, user, password)
              .locations(MIGRATIONS)
              .load()
              .migrate();
    } catch (RuntimeException e) {
      throw new SQLException(
          "cannot migrate the monitor's database " + redact(url) + ": " + rootMessage(e), e);
    }
    String version = result.targetSchemaVersion;
    if (version == null) {
      version = result.initialSchemaVersion;
    }
    return new MonitorDatabase(
        url,
        new ConnectionPool(url, props, POOL_SIZE),
        version == null ? 0 : Integer.parseInt(version));
  }

  /** The URL without its password parameter, for messages and logs. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  /** The URL this database was opened at, password removed. */
  public String url() {
    return redact(url);
  }

  /** For people: {@code h2 /path/monitor.mv.db} or the PostgreSQL URL without its password. */
  public String describe() {
    if (url.startsWith("jdbc:h2:file:")) {
      String path = url.substring("jdbc:h2:file:".length());
      int semi = path.indexOf(';');
      return "h2 " + (semi < 0 ? path : path.substring(0, semi)) + ".mv.db";
    }
    return redact(url);
  }

  /** The schema version after migration (1 for {@code V1__...}). */
  public int schemaVersion() {
    return schemaVersion;
  }

  /** Whether this is PostgreSQL (else the embedded H2). */
  public boolean isPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** Work done on one connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    /** Runs inside the transaction; throwing rolls it back. */
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction: committed when it returns, rolled back if it throws. */
  public <T> T transaction(Work<T> work) throws SQLException {
    Connection c = pool.borrow();
    try {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } finally {
      pool.release(c);
    }
  }

  /**
   * The next run number: 100010 first, then 100011, ...; each caller gets a different one, however
   * many ask at once, from any number of monitors sharing the database. The row lock the UPDATE
   * takes orders concurrent callers; each reads its own increment in the same transaction.
   */
  public long nextRunNumber() throws SQLException {
    return transaction(
        c -> {
          try (PreparedStatement up =
              c.prepareStatement(
                  "UPDATE counters SET counter_value = counter_value + 1 WHERE name = ?")) {
            up.setString(1, "next_run_number");
            if (up.executeUpdate() != 1) {
              throw new SQLException("the counter next_run_number is missing from the database");
            }
          }
          try (PreparedStatement q =
              c.prepareStatement("SELECT counter_value - 1 FROM counters WHERE name = ?")) {
            q.setString(1, "next_run_number");
            try (ResultSet rs = q.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  @Override
  public void close() {
    pool.close();
  }
}

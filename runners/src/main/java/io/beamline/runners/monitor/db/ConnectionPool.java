package io.beamline.runners.monitor.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A fixed number of JDBC connections shared by the monitor's request threads: opening a PostgreSQL
 * connection per request costs more than most requests. A connection that fails its validity check
 * when borrowed is replaced.
 */
final class ConnectionPool implements AutoCloseable {
  private final String url;
  private final Properties properties;
  private final BlockingQueue<Connection> idle;
  private final Semaphore permits;
  private final List<Connection> all = new ArrayList<>();
  private volatile boolean closed;

  ConnectionPool(String url, Properties properties, int size) {
    this.url = url;
    this.properties = properties;
    this.idle = new ArrayBlockingQueue<>(size);
    this.permits = new Semaphore(size, true);
  }

  /** A connection in auto-commit mode; hand it back with {@link #release}. */
  Connection borrow() throws SQLException {
    if (closed) {
      throw new SQLException("the monitor's database is closed");
    }
    permits.acquireUninterruptibly();
    try {
      Connection c = idle.poll();
      if (c != null && !c.isValid(2)) {
        quietClose(c);
        c = null;
      }
      if (c == null) {
        c = DriverManager.getConnection(url, properties);
        synchronized (all) {
          all.add(c);
        }
      }
      c.setAutoCommit(true);
      return c;
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** Returns {@code c} to the pool. */
  void release(Connection c) {
    if (closed || !idle.offer(c)) {
      quietClose(c);
    }
    permits.release();
  }

  @Override
  public void close() {
    closed = true;
    List<Connection> open;
    synchronized (all) {
      open = new ArrayList<>(all);
    }
    for (Connection c : open) {
      quietClose(c);
    }
  }

  private void quietClose(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // Already broken: nothing more to release.
    }
    synchronized (all) {
      all.remove(c);
    }
  }
}

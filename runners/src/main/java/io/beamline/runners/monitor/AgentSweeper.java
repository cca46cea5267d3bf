package io.beamline.runners.monitor;

import io.beamline.runners.monitor.db.MonitorDatabase;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks agents EXITED (status and operational state) once they have sent no heartbeat for the
 * timeout: a killed agent never says goodbye. Runs every fifth of the timeout (at least every 5 s).
 */
final class AgentSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentSweeper.class);

  private final MonitorDatabase db;
  private final Duration timeout;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "monitor-agent-sweeper");
            t.setDaemon(true);
            return t;
          });

  AgentSweeper(MonitorDatabase db, Duration timeout) {
    this.db = db;
    this.timeout = timeout;
  }

  /** Starts sweeping in the background. */
  void start() {
    long periodMs = Math.max(200, Math.min(5_000, timeout.toMillis() / 5));
    timer.scheduleWithFixedDelay(this::sweepQuietly, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** Marks the agents silent since before {@code now - timeout}; returns how many. */
  int sweep(Instant now) throws SQLException {
    OffsetDateTime cutoff = OffsetDateTime.ofInstant(now.minus(timeout), ZoneOffset.UTC);
    return db.transaction(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "UPDATE system_agents SET status = 'EXITED', operational_state = 'EXITED',"
                      + " updated_at = ? WHERE status <> 'EXITED' AND last_heartbeat < ?")) {
            st.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            st.setObject(2, cutoff);
            return st.executeUpdate();
          }
        });
  }

  private void sweepQuietly() {
    try {
      int n = sweep(Instant.now());
      if (n > 0) {
        LOG.info("{} agent(s) silent for over {} s marked EXITED", n, timeout.toSeconds());
      }
    } catch (SQLException | RuntimeException e) {
      // The next sweep tries again; a database that stays down shows in /api/health.
      LOG.warn("agent sweep failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

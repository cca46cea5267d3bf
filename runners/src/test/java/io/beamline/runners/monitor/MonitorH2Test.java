package io.beamline.runners.monitor;

import io.beamline.runners.monitor.db.MonitorDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MonitorSuite} on the embedded H2 database file, as {@code monitor serve} runs by default.
 */
class MonitorH2Test extends MonitorSuite {
  @TempDir Path dir;

  @Override
  String newDatabaseUrl() {
    return MonitorDatabase.h2Url(dir);
  }
}

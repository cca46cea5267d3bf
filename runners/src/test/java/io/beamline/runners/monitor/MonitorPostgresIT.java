package io.beamline.runners.monitor;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link MonitorSuite} on a real PostgreSQL server ({@link PostgresServer}, Debian's {@code
 * postgresql}), one new database per test. Without PostgreSQL it is skipped, unless {@code
 * BEAMLINE_REQUIRE_INTEROP=1} (CI), where it fails.
 */
class MonitorPostgresIT extends MonitorSuite {
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    Path bin = PostgresServer.binaries();
    if (bin == null) {
      String why =
          "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb;"
              + " apt-get install postgresql)";
      if ("1".equals(System.getenv("BEAMLINE_REQUIRE_INTEROP"))) {
        fail(why + " but BEAMLINE_REQUIRE_INTEROP=1 requires it");
      }
      Assumptions.abort(why + "; set BEAMLINE_REQUIRE_INTEROP=1 to fail instead");
    }
    postgres = PostgresServer.start(bin);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  String newDatabaseUrl() throws Exception {
    return postgres.newDatabase();
  }
}

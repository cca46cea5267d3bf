package io.beamline.io.duckdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A thin, closeable DuckDB session: in memory, or on a database file.
 *
 * <pre>{@code
 * try (DuckDb db = DuckDb.inMemory()) {
 *   long n = db.count("SELECT * FROM read_parquet('out/stats/*.parquet')");
 * }
 * }</pre>
 */
public final class DuckDb implements AutoCloseable {
  private final Connection connection;

  private DuckDb(Connection connection) {
    this.connection = connection;
  }

  /** Opens a private in-memory database. */
  public static DuckDb inMemory() throws SQLException {
    return new DuckDb(DriverManager.getConnection("jdbc:duckdb:"));
  }

  /** Opens (creating if needed) the database file {@code file}. */
  public static DuckDb open(Path file) throws SQLException {
    return new DuckDb(DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath()));
  }

  /** The underlying JDBC connection, for prepared statements. */
  public Connection connection() {
    return connection;
  }

  /** Executes a statement that returns no rows. */
  public void execute(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }

  /** Runs {@code sql} and returns every row as a list of column values, in result order. */
  public List<List<Object>> rows(String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int cols = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(cols);
        for (int c = 1; c <= cols; c++) {
          row.add(rs.getObject(c));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Returns {@code SELECT count(*)} over the rows of {@code sql}. */
  public long count(String sql) throws SQLException {
    return ((Number) rows("SELECT count(*) FROM (" + sql + ")").get(0).get(0)).longValue();
  }

  /** Returns column name to DuckDB type name (e.g. {@code TIMESTAMP}) for the query's result. */
  public Map<String, String> columnTypes(String sql) throws SQLException {
    Map<String, String> types = new LinkedHashMap<>();
    for (List<Object> r : rows("DESCRIBE " + sql)) {
      types.put(String.valueOf(r.get(0)), String.valueOf(r.get(1)));
    }
    return types;
  }

  /** Quotes a path or string as a SQL string literal. */
  public static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}

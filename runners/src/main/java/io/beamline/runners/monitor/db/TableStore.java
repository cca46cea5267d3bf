package io.beamline.runners.monitor.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes one {@link Table}: lists with filters and paging, one row by key, and writes
 * that create a row or update the one with the same key (so an agent that sends the same thing
 * twice changes nothing the second time).
 */
public final class TableStore {
  /** Rows a list returns unless {@code limit} says otherwise, and the most it may ask for. */
  public static final int DEFAULT_LIMIT = 100;

  /** The largest {@code limit}. */
  public static final int MAX_LIMIT = 1000;

  private final MonitorDatabase db;
  private final Table table;

  public TableStore(MonitorDatabase db, Table table) {
    this.db = db;
    this.table = table;
  }

  /** The table this store works on. */
  public Table table() {
    return table;
  }

  /** One page of a list: the rows, and how many rows match in all. */
  public record Page(long count, int limit, int offset, List<Map<String, Object>> results) {}

  /**
   * A condition an update of an existing row also needs, with one parameter: the new value of
   * {@code column}. {@code new Guard("last_heartbeat IS NULL OR last_heartbeat <= ?",
   * "last_heartbeat")} keeps an older heartbeat from overwriting a newer one.
   */
  public record Guard(String condition, String column) {}

  /** A write's outcome: the row as it is now, and whether the write created it. */
  public record Written(Map<String, Object> row, boolean created) {}

  /**
   * The rows matching {@code params}: the table's filters (exact match), {@code limit} (default
   * 100, at most 1000) and {@code offset}. Unknown parameters are refused.
   */
  public Page list(Map<String, String> params) throws SQLException {
    int limit = DEFAULT_LIMIT;
    int offset = 0;
    List<String> where = new ArrayList<>();
    List<Object[]> args = new ArrayList<>();
    for (Map.Entry<String, String> p : params.entrySet()) {
      String name = p.getKey();
      String value = p.getValue();
      if (name.equals("limit")) {
        limit = bounded(name, value, 1, MAX_LIMIT);
      } else if (name.equals("offset")) {
        offset = bounded(name, value, 0, Integer.MAX_VALUE);
      } else if (table.filters().containsKey(name)) {
        String column = table.filters().get(name);
        ColumnType type = table.typeOf(column);
        where.add(column + " = ?");
        args.add(new Object[] {type, type.fromText(name, value)});
      } else {
        throw new InvalidValueException(
            "unknown query parameter '"
                + name
                + "' for /api/"
                + table.path()
                + "/; use "
                + String.join(", ", table.filters().keySet().stream().sorted().toList())
                + ", limit or offset");
      }
    }
    String cond = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
    int lim = limit;
    int off = offset;
    return db.transaction(
        c -> {
          long count;
          try (PreparedStatement st =
              c.prepareStatement("SELECT COUNT(*) FROM " + table.view() + cond)) {
            bindAll(st, args, 1);
            try (ResultSet rs = st.executeQuery()) {
              rs.next();
              count = rs.getLong(1);
            }
          }
          List<Map<String, Object>> rows;
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT * FROM "
                      + table.view()
                      + cond
                      + " ORDER BY "
                      + table.order()
                      + " LIMIT ? OFFSET ?")) {
            int i = bindAll(st, args, 1);
            st.setInt(i, lim);
            st.setInt(i + 1, off);
            rows = rows(st);
          }
          return new Page(count, lim, off, rows);
        });
  }

  /** The row whose key is {@code keyText}, or null. */
  public Map<String, Object> get(String keyText) throws SQLException {
    Object key = table.keyType().fromText(table.key(), keyText);
    return db.transaction(c -> get(c, key));
  }

  /**
   * Creates the row {@code body} describes or, when a row with its key exists, sets the fields it
   * names. Tables keyed by a generated id always insert.
   */
  public Written upsert(ObjectNode body) throws SQLException {
    return upsert(fields(body), Set.of(), null);
  }

  /**
   * Creates the row or updates the existing one.
   *
   * @param fields typed values by column (the key included, or derivable)
   * @param insertOnly columns set only when the row is created (an update leaves them)
   * @param guard a condition an update also needs, or null; a row it excludes is left as it is
   */
  public Written upsert(Map<String, Object> fields, Set<String> insertOnly, Guard guard)
      throws SQLException {
    Map<String, Object> f = new LinkedHashMap<>(fields);
    if (table.key().equals("id")) {
      return db.transaction(c -> new Written(insert(c, f), true));
    }
    if (!f.containsKey(table.key()) && table.derivedKey() != null) {
      requireAll(f);
      f.put(table.key(), table.derivedKey().apply(f));
    }
    Object key = f.get(table.key());
    if (key == null) {
      throw new InvalidValueException(
          table.key() + " is required to write a " + table.noun() + "; add it to the body");
    }
    for (int attempt = 0; ; attempt++) {
      try {
        return db.transaction(
            c -> {
              Map<String, Object> upd = new LinkedHashMap<>(f);
              upd.keySet().removeAll(insertOnly);
              if (update(c, key, upd, guard) > 0 || get(c, key) != null) {
                return new Written(get(c, key), false);
              }
              return new Written(insert(c, f), true);
            });
      } catch (SQLException e) {
        // Two writers created the same key at once: the loser now finds the row and updates it.
        if (attempt == 0 && "23505".equals(e.getSQLState())) {
          continue;
        }
        throw e;
      }
    }
  }

  /** Sets the fields of {@code body} on the row keyed {@code keyText}; null if there is none. */
  public Map<String, Object> patch(String keyText, ObjectNode body) throws SQLException {
    Object key = table.keyType().fromText(table.key(), keyText);
    Map<String, Object> f = fields(body);
    Object bodyKey = f.remove(table.key());
    if (bodyKey != null && !bodyKey.equals(key)) {
      throw new InvalidValueException(
          table.key() + " cannot change (the path names " + key + "); leave it out of the body");
    }
    return db.transaction(c -> update(c, key, f, null) > 0 ? get(c, key) : null);
  }

  /** The typed, checked values of a JSON body. */
  public Map<String, Object> fields(ObjectNode body) {
    Map<String, Column> cols = table.byName();
    Map<String, Object> f = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Column col = cols.get(e.getKey());
      if (col == null) {
        if (e.getKey().equals(table.key())) {
          continue;
        }
        throw new InvalidValueException(
            "unknown field '"
                + e.getKey()
                + "' for a "
                + table.noun()
                + "; fields: "
                + String.join(", ", cols.keySet()));
      }
      f.put(col.name(), col.check(col.type().fromJson(col.name(), e.getValue())));
    }
    return f;
  }

  private void requireAll(Map<String, Object> f) {
    for (Column col : table.columns()) {
      if (col.required() && f.get(col.name()) == null) {
        throw new InvalidValueException(
            col.name()
                + " is required to create a "
                + table.noun()
                + "; add it to the body (type "
                + col.type().name().toLowerCase(Locale.ROOT)
                + ")");
      }
    }
  }

  private Map<String, Object> insert(Connection c, Map<String, Object> f) throws SQLException {
    requireAll(f);
    List<String> names = new ArrayList<>();
    List<Object[]> args = new ArrayList<>();
    for (Column col : table.columns()) {
      Object v = f.containsKey(col.name()) ? f.get(col.name()) : col.defaultValue();
      if (v != null) {
        names.add(col.name());
        args.add(new Object[] {col.type(), v});
      }
    }
    if (!table.byName().containsKey(table.key()) && f.containsKey(table.key())) {
      names.add(table.key());
      args.add(new Object[] {table.keyType(), f.get(table.key())});
    }
    Instant now = Instant.now();
    names.add("created_at");
    args.add(new Object[] {ColumnType.TIME, now});
    if (!table.table().equals("workflow_messages")) {
      names.add("updated_at");
      args.add(new Object[] {ColumnType.TIME, now});
    }
    String sql =
        "INSERT INTO "
            + table.table()
            + " ("
            + String.join(", ", names)
            + ") VALUES ("
            + String.join(", ", names.stream().map(n -> "?").toList())
            + ")";
    try (PreparedStatement st = c.prepareStatement(sql, new String[] {"id"})) {
      bindAll(st, args, 1);
      st.executeUpdate();
      Object key = f.get(table.key());
      if (table.key().equals("id")) {
        try (ResultSet keys = st.getGeneratedKeys()) {
          keys.next();
          key = keys.getLong(1);
        }
      }
      return get(c, key);
    }
  }

  private int update(Connection c, Object key, Map<String, Object> f, Guard guard)
      throws SQLException {
    List<String> sets = new ArrayList<>();
    List<Object[]> args = new ArrayList<>();
    Map<String, Column> cols = table.byName();
    for (Map.Entry<String, Object> e : f.entrySet()) {
      if (e.getKey().equals(table.key())) {
        continue;
      }
      sets.add(e.getKey() + " = ?");
      args.add(new Object[] {cols.get(e.getKey()).type(), e.getValue()});
    }
    sets.add("updated_at = ?");
    args.add(new Object[] {ColumnType.TIME, Instant.now()});
    String sql =
        "UPDATE "
            + table.table()
            + " SET "
            + String.join(", ", sets)
            + " WHERE "
            + table.key()
            + " = ?"
            + (guard == null ? "" : " AND (" + guard.condition() + ")");
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int i = bindAll(st, args, 1);
      table.keyType().bind(st, i++, key);
      if (guard != null) {
        table.typeOf(guard.column()).bind(st, i, f.get(guard.column()));
      }
      return st.executeUpdate();
    }
  }

  private Map<String, Object> get(Connection c, Object key) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement("SELECT * FROM " + table.view() + " WHERE " + table.key() + " = ?")) {
      table.keyType().bind(st, 1, key);
      List<Map<String, Object>> rows = rows(st);
      return rows.isEmpty() ? null : rows.get(0);
    }
  }

  private static int bindAll(PreparedStatement st, List<Object[]> args, int first)
      throws SQLException {
    int i = first;
    for (Object[] a : args) {
      ((ColumnType) a[0]).bind(st, i++, a[1]);
    }
    return i;
  }

  private List<Map<String, Object>> rows(PreparedStatement st) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
          row.put(name, value(rs, i, md.getColumnTypeName(i), name));
        }
        out.add(row);
      }
    }
    return out;
  }

  private Object value(ResultSet rs, int i, String typeName, String name) throws SQLException {
    String t = typeName.toLowerCase(Locale.ROOT);
    if (t.contains("timestamp")) {
      OffsetDateTime odt = rs.getObject(i, OffsetDateTime.class);
      return odt == null ? null : odt.toInstant().toString();
    }
    if (t.contains("clob") || t.equals("text") || t.contains("char")) {
      String s = rs.getString(i);
      if (s != null && table.jsonColumns().contains(name)) {
        try {
          return Json.MAPPER.readTree(s);
        } catch (IOException e) {
          return s;
        }
      }
      return s;
    }
    Object v = rs.getObject(i);
    if (v instanceof Number n && !(v instanceof Long) && !(v instanceof Integer)) {
      return n.longValue();
    }
    return v;
  }

  private static int bounded(String name, String text, int min, int max) {
    Object v = ColumnType.LONG.fromText(name, text);
    long n = (Long) v;
    if (n < min || n > max) {
      throw new InvalidValueException(
          name + " must be between " + min + " and " + max + ", got " + text);
    }
    return (int) n;
  }
}

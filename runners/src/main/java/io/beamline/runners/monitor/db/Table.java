package io.beamline.runners.monitor.db;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One resource of the REST API and the table behind it.
 *
 * @param path the path under {@code /api/} ({@code runs}, {@code stf-files})
 * @param noun what one row is, for messages ("run")
 * @param table the table written to
 * @param view what reads select from (the table, or a view adding derived columns)
 * @param key the column naming a row in the detail path and the upsert key
 * @param keyType the key's type
 * @param columns the columns clients may write (the key included unless it is derived)
 * @param filters query parameter to column, for lists
 * @param derivedKey computes the key from the other fields when the key is not sent, else null
 * @param jsonColumns text columns holding JSON, returned as JSON
 * @param order the list order ({@code id DESC}: newest first)
 */
public record Table(
    String path,
    String noun,
    String table,
    String view,
    String key,
    ColumnType keyType,
    List<Column> columns,
    Map<String, String> filters,
    Function<Map<String, Object>, Object> derivedKey,
    List<String> jsonColumns,
    String order) {

  /** The writable columns by name, in declaration order. */
  public Map<String, Column> byName() {
    Map<String, Column> m = new LinkedHashMap<>();
    for (Column c : columns) {
      m.put(c.name(), c);
    }
    return m;
  }

  /** The type of {@code column} (a writable column or the key), or null. */
  ColumnType typeOf(String column) {
    if (column.equals(key)) {
      return keyType;
    }
    Column c = byName().get(column);
    return c == null ? null : c.type();
  }
}

package io.beamline.pipelines.infer.formats;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV text, as every CSV file of the {@code infer} commands is written and read: a cell
 * holding a comma, a quote or a line break is quoted, quotes doubled; quoted cells may span lines.
 */
public final class Csv {
  private Csv() {}

  /** {@code cell} as written in a line: quoted when it must be. */
  public static String field(String cell) {
    if (cell.indexOf(',') >= 0
        || cell.indexOf('"') >= 0
        || cell.indexOf('\n') >= 0
        || cell.indexOf('\r') >= 0) {
      return '"' + cell.replace("\"", "\"\"") + '"';
    }
    return cell;
  }

  /** Appends {@code cells} as one line, ended by {@code \n}. */
  public static void line(StringBuilder b, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(field(cells.get(i)));
    }
    b.append('\n');
  }

  /** One record and the line it starts on, 1-based. */
  public record Record(int line, List<String> cells) {}

  /** The records of {@code text}; empty lines are skipped, {@code \r\n} ends a line too. */
  public static List<List<String>> parse(String text) {
    return records(text).stream().map(Record::cells).toList();
  }

  /**
   * The records of {@code text} with the line each starts on (a quoted cell may span lines), so
   * that a reader can name the line of a bad record; empty lines are skipped.
   */
  public static List<Record> records(String text) {
    List<Record> out = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int line = 1;
    int first = 1;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          if (ch == '\n') {
            line++;
          }
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
        any = true;
      } else if (ch == ',') {
        row.add(cell.toString());
        cell.setLength(0);
        any = true;
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || cell.length() > 0) {
          row.add(cell.toString());
          out.add(new Record(first, row));
        }
        row = new ArrayList<>();
        cell.setLength(0);
        any = false;
        line++;
        first = line;
      } else {
        cell.append(ch);
        any = true;
      }
    }
    if (any || cell.length() > 0) {
      row.add(cell.toString());
      out.add(new Record(first, row));
    }
    return out;
  }
}

package io.beamline.io.anatomy;

import io.beamline.io.mat.MatMatrix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a TVB connectivity zip (the format of {@code tvb_data}'s {@code connectivity_76.zip}) into
 * a {@link Connectivity}.
 *
 * <p>Required entries: {@code weights.txt} and {@code tract_lengths.txt} (N rows of N
 * whitespace-separated numbers) and {@code centres.txt} (one {@code label x y z} line per region;
 * lines of three numbers get labels {@code r0, r1, ...}). Optional: {@code cortical.txt}, {@code
 * hemispheres.txt} (one {@code 0/1} or {@code true/false} per region, 1 = right), {@code areas.txt}
 * (one number per region) and {@code average_orientations.txt} (N rows of 3). Any entry may instead
 * be stored bzip2-compressed as {@code <name>.bz2} (decoded with Apache commons-compress, which
 * Beam brings in) and may sit in a folder inside the zip. Blank lines and lines starting with
 * {@code #} are ignored. Missing or malformed required entries, and malformed optional ones, fail
 * with an {@link AnatomyException} naming the zip and the entry.
 */
public final class TvbConnectivity {
  private static final List<String> REQUIRED =
      List.of("weights.txt", "tract_lengths.txt", "centres.txt");

  /**
   * Most regions a connectivity may have (TVB's largest is 998): a bigger {@code centres.txt} is
   * refused before its N x N matrices are allocated.
   */
  public static final int MAX_REGIONS = 4096;

  /** Longest line of an entry, in characters (4096 numbers of 17 digits fit easily). */
  static final int MAX_LINE_CHARS = 1 << 20;

  private TvbConnectivity() {}

  /**
   * Reads {@code zip}.
   *
   * @throws AnatomyException if the zip is missing or unreadable, a required entry is missing, or
   *     an entry has the wrong number of rows or values
   */
  public static Connectivity read(Path zip) throws AnatomyException {
    if (!Files.isRegularFile(zip)) {
      throw new AnatomyException(
          "connectivity zip " + zip.toAbsolutePath() + " does not exist; check the path");
    }
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Map<String, ZipEntry> entries = index(zip, file);
      for (String name : REQUIRED) {
        if (!entries.containsKey(name)) {
          throw new AnatomyException(
              "connectivity zip "
                  + zip
                  + " has no entry '"
                  + name
                  + "' (or "
                  + name
                  + ".bz2); it has "
                  + (entries.isEmpty() ? "no files" : String.join(", ", entryNames(file)))
                  + ". A TVB connectivity zip needs weights.txt, tract_lengths.txt and centres.txt");
        }
      }
      Reader r = new Reader(zip, file, entries);
      List<String> labels = new ArrayList<>();
      MatMatrix centres = r.centres(labels);
      int n = labels.size();
      Connectivity c =
          Connectivity.of(
              labels, centres, r.matrix("weights.txt", n, n), r.matrix("tract_lengths.txt", n, n));
      if (entries.containsKey("cortical.txt")) {
        c = c.withCortical(r.flags("cortical.txt", n));
      }
      if (entries.containsKey("hemispheres.txt")) {
        c = c.withHemispheres(r.flags("hemispheres.txt", n));
      }
      if (entries.containsKey("areas.txt")) {
        c = c.withAreas(r.matrix("areas.txt", n, 1).toArray());
      }
      if (entries.containsKey("average_orientations.txt")) {
        c = c.withOrientations(r.matrix("average_orientations.txt", n, 3));
      }
      return c;
    } catch (ZipException e) {
      throw new AnatomyException(
          "connectivity zip "
              + zip
              + " is not a readable zip ("
              + e.getMessage()
              + "); re-download it",
          e);
    } catch (AnatomyException e) {
      throw e;
    } catch (IOException e) {
      throw new AnatomyException("cannot read connectivity zip " + zip + ": " + e.getMessage(), e);
    }
  }

  /** Maps each file's base name, without a {@code .bz2} suffix, to its entry; plain wins. */
  private static Map<String, ZipEntry> index(Path zip, ZipFile file) throws AnatomyException {
    Map<String, ZipEntry> byName = new TreeMap<>();
    for (ZipEntry e : java.util.Collections.list(file.entries())) {
      if (e.isDirectory() || e.getName().contains("__MACOSX")) {
        continue;
      }
      String base = e.getName().substring(e.getName().lastIndexOf('/') + 1);
      boolean bz2 = base.toLowerCase(Locale.ROOT).endsWith(".bz2");
      String key = bz2 ? base.substring(0, base.length() - 4) : base;
      ZipEntry previous = byName.get(key);
      if (previous != null) {
        boolean previousBz2 = previous.getName().toLowerCase(Locale.ROOT).endsWith(".bz2");
        if (previousBz2 == bz2) {
          throw new AnatomyException(
              "connectivity zip "
                  + zip
                  + " holds '"
                  + key
                  + "' twice ("
                  + previous.getName()
                  + ", "
                  + e.getName()
                  + "); keep one");
        }
        if (bz2) {
          continue;
        }
      }
      byName.put(key, e);
    }
    return byName;
  }

  private static List<String> entryNames(ZipFile file) {
    List<String> names = new ArrayList<>();
    file.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
    return names;
  }

  /** Parses entries of one zip; every message names the zip, the entry and the line. */
  private static final class Reader {
    private final Path zip;
    private final ZipFile file;
    private final Map<String, ZipEntry> entries;

    Reader(Path zip, ZipFile file, Map<String, ZipEntry> entries) {
      this.zip = zip;
      this.file = file;
      this.entries = entries;
    }

    /** Receives each non-blank, non-comment line of an entry. */
    private interface LineVisitor {
      void visit(Line line) throws IOException;
    }

    /**
     * Streams the non-blank, non-comment lines of {@code name} (1-based line number, tokens) to
     * {@code visitor}, never holding more than one line: an entry that decompresses to gigabytes,
     * or a line without end, costs an error, not the memory.
     */
    private void lines(String name, LineVisitor visitor) throws IOException {
      ZipEntry e = entries.get(name);
      try (InputStream raw = open(e);
          BufferedReader br =
              new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8))) {
        StringBuilder line = new StringBuilder();
        int no = 0;
        int c;
        boolean more = true;
        while (more) {
          c = br.read();
          if (c == '\n' || c == -1) {
            more = c != -1;
            if (c == -1 && line.length() == 0) {
              break;
            }
            no++;
            String t = line.toString().strip();
            line.setLength(0);
            if (!t.isEmpty() && !t.startsWith("#")) {
              visitor.visit(new Line(no, t.split("[\\s,]+")));
            }
          } else {
            if (line.length() >= MAX_LINE_CHARS) {
              throw new AnatomyException(
                  name
                      + " in "
                      + zip
                      + " line "
                      + (no + 1)
                      + " is longer than "
                      + MAX_LINE_CHARS
                      + " characters; the entry is corrupt, re-create the zip");
            }
            line.append((char) c);
          }
        }
      }
    }

    private InputStream open(ZipEntry e) throws IOException {
      InputStream in = file.getInputStream(e);
      if (!e.getName().toLowerCase(Locale.ROOT).endsWith(".bz2")) {
        return in;
      }
      try {
        return Bzip2.decompress(in);
      } catch (NoClassDefFoundError missing) {
        in.close();
        throw new AnatomyException(
            "entry "
                + e.getName()
                + " in "
                + zip
                + " is bzip2-compressed but commons-compress is not on the classpath; unpack it"
                + " (bunzip2) and re-zip, or add org.apache.commons:commons-compress",
            missing);
      } catch (IOException bad) {
        in.close();
        throw new AnatomyException(
            "entry "
                + e.getName()
                + " in "
                + zip
                + " is not valid bzip2 ("
                + bad.getMessage()
                + "); re-create the zip",
            bad);
      }
    }

    MatMatrix centres(List<String> labels) throws IOException {
      List<Line> lines = new ArrayList<>();
      lines(
          "centres.txt",
          l -> {
            if (lines.size() == MAX_REGIONS) {
              throw new AnatomyException(
                  "centres.txt in "
                      + zip
                      + " lists more than "
                      + MAX_REGIONS
                      + " regions (line "
                      + l.number()
                      + "); this is not a region connectivity, or too large for it");
            }
            lines.add(l);
          });
      double[] xyz = new double[lines.size() * 3];
      for (int i = 0; i < lines.size(); i++) {
        Line l = lines.get(i);
        String[] t = l.tokens();
        int first;
        if (t.length == 4) {
          labels.add(t[0]);
          first = 1;
        } else if (t.length == 3 && isNumber(t[0])) {
          labels.add("r" + i);
          first = 0;
        } else {
          throw new AnatomyException(
              "centres.txt in "
                  + zip
                  + " line "
                  + l.number()
                  + " has "
                  + t.length
                  + " fields but 'label x y z' is expected");
        }
        for (int k = 0; k < 3; k++) {
          xyz[i * 3 + k] = number("centres.txt", l, t[first + k]);
        }
      }
      if (labels.isEmpty()) {
        throw new AnatomyException("centres.txt in " + zip + " lists no regions");
      }
      return MatMatrix.of(labels.size(), 3, xyz);
    }

    MatMatrix matrix(String name, int rows, int cols) throws IOException {
      double[] v = new double[rows * cols];
      int[] row = {0};
      lines(
          name,
          l -> {
            if (row[0] == rows) {
              throw new AnatomyException(
                  name
                      + " in "
                      + zip
                      + " has more than "
                      + rows
                      + " rows (line "
                      + l.number()
                      + ") but "
                      + rows
                      + " are expected (one per region in centres.txt)");
            }
            if (l.tokens().length != cols) {
              throw new AnatomyException(
                  name
                      + " in "
                      + zip
                      + " line "
                      + l.number()
                      + " has "
                      + l.tokens().length
                      + " values but "
                      + cols
                      + " are expected"
                      + (cols == rows ? " (one per region in centres.txt)" : ""));
            }
            for (int j = 0; j < cols; j++) {
              v[row[0] * cols + j] = number(name, l, l.tokens()[j]);
            }
            row[0]++;
          });
      if (row[0] != rows) {
        throw new AnatomyException(
            name
                + " in "
                + zip
                + " has "
                + row[0]
                + " rows but "
                + rows
                + " are expected (one per region in centres.txt)");
      }
      return MatMatrix.of(rows, cols, v);
    }

    boolean[] flags(String name, int n) throws IOException {
      List<String> values = new ArrayList<>();
      lines(
          name,
          l -> {
            if (values.size() > n) {
              throw new AnatomyException(
                  name
                      + " in "
                      + zip
                      + " has more than "
                      + n
                      + " values but "
                      + n
                      + " are expected");
            }
            values.addAll(List.of(l.tokens()));
          });
      if (values.size() != n) {
        throw new AnatomyException(
            name + " in " + zip + " has " + values.size() + " values but " + n + " are expected");
      }
      boolean[] out = new boolean[n];
      for (int i = 0; i < n; i++) {
        String s = values.get(i).toLowerCase(Locale.ROOT);
        if (s.equals("1") || s.equals("true") || s.equals("1.0")) {
          out[i] = true;
        } else if (!(s.equals("0") || s.equals("false") || s.equals("0.0"))) {
          throw new AnatomyException(
              name
                  + " in "
                  + zip
                  + " value "
                  + (i + 1)
                  + " is '"
                  + values.get(i)
                  + "' but 0/1 or true/false is expected");
        }
      }
      return out;
    }

    private double number(String name, Line l, String token) throws AnatomyException {
      try {
        return Double.parseDouble(token);
      } catch (NumberFormatException e) {
        throw new AnatomyException(
            name + " in " + zip + " line " + l.number() + " has '" + token + "', not a number");
      }
    }
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private record Line(int number, String[] tokens) {}

  /** Kept in its own class so a missing commons-compress only matters for .bz2 entries. */
  private static final class Bzip2 {
    static InputStream decompress(InputStream in) throws IOException {
      return new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(in);
    }
  }
}

package io.beamline.io.anatomy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TVB zips whose entries are far larger than a connectivity (a few hundred KB compressed, hundreds
 * of MB inflated): refused with one line naming the zip and the entry, reading one line at a time,
 * so the heap grows by a few MB, not by the inflated size.
 */
class TvbConnectivityLimitsTest {
  @TempDir Path dir;

  /** Writes an entry by repeating {@code unit} {@code times} times (deflated by the zip). */
  private interface Entry {
    void write(OutputStream out) throws IOException;
  }

  private Path zip(String weights, Entry centres) throws IOException {
    Path z = dir.resolve("big.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
      out.putNextEntry(new ZipEntry("weights.txt"));
      out.write(weights.getBytes(StandardCharsets.UTF_8));
      out.putNextEntry(new ZipEntry("tract_lengths.txt"));
      out.write("0 1\n1 0\n".getBytes(StandardCharsets.UTF_8));
      out.putNextEntry(new ZipEntry("centres.txt"));
      centres.write(out);
      out.closeEntry();
    }
    return z;
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private static AnatomyException refused(Path zip) {
    long before = usedHeap();
    AnatomyException e = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(zip));
    assertTrue((usedHeap() - before) < (128L << 20), "heap grew by " + (usedHeap() - before));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertThat(e.getMessage(), containsString(zip.toString()));
    return e;
  }

  @Test
  void aLineWithoutEndIsRefused() throws Exception {
    // 400 MB of digits on one line.
    byte[] chunk = "1".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
    Path z =
        zip(
            "0 1\n1 0\n",
            out -> {
              for (int i = 0; i < 400; i++) {
                out.write(chunk);
              }
            });
    AnatomyException e = refused(z);
    assertThat(e.getMessage(), containsString("centres.txt"));
    assertThat(e.getMessage(), containsString("line 1 is longer than"));
  }

  @Test
  void millionsOfRegionsAreRefusedBeforeTheirMatricesAreAllocated() throws Exception {
    byte[] line = "r 1 2 3\n".getBytes(StandardCharsets.US_ASCII);
    Path z =
        zip(
            "0 1\n1 0\n",
            out -> {
              for (int i = 0; i < 5_000_000; i++) {
                out.write(line);
              }
            });
    AnatomyException e = refused(z);
    assertThat(
        e.getMessage(),
        containsString("lists more than " + TvbConnectivity.MAX_REGIONS + " regions"));
  }

  @Test
  void extraRowsAreNamed() throws Exception {
    Path z =
        zip(
            "0 1\n1 0\n1 1\n",
            out -> out.write("a 0 0 0\nb 1 1 1\n".getBytes(StandardCharsets.US_ASCII)));
    assertThat(
        refused(z).getMessage(),
        containsString("weights.txt in " + z + " has more than 2 rows (line 3)"));
  }
}

package io.beamline.io.anatomy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TvbConnectivityTest {
  @TempDir Path dir;

  private static final String WEIGHTS = "0 1.5 0\n1.5 0 2\n0 2 0\n";
  private static final String TRACTS = "0 10 20\n10 0 15\n20 15 0\n";
  private static final String CENTRES = "rA1 10.0 -5.5 3\nrA2 12 0 4\nlA1 -10 -5.5 3\n";

  /** Minimal TVB zip: the three required entries, plain text. */
  private static Map<String, byte[]> required() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("weights.txt", utf8(WEIGHTS));
    m.put("tract_lengths.txt", utf8(TRACTS));
    m.put("centres.txt", utf8(CENTRES));
    return m;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bzip2(String s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new BZip2CompressorOutputStream(bytes)) {
      out.write(utf8(s));
    }
    return bytes.toByteArray();
  }

  private Path zip(String name, Map<String, byte[]> entries) throws IOException {
    Path z = dir.resolve(name);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return z;
  }

  @Test
  void readsRequiredEntries() throws IOException {
    Connectivity c = TvbConnectivity.read(zip("connectivity_3.zip", required()));
    assertEquals(3, c.regions());
    assertEquals(List.of("rA1", "rA2", "lA1"), c.labels());
    assertEquals(-5.5, c.centres().get(0, 1));
    assertEquals(2.0, c.weights().get(1, 2));
    assertEquals(15.0, c.tractLengths().get(2, 1));
    assertTrue(c.cortical().isEmpty());
    assertTrue(c.hemispheres().isEmpty());
    assertTrue(c.areas().isEmpty());
    assertTrue(c.orientations().isEmpty());
  }

  @Test
  void readsOptionalAndBzip2EntriesInAFolder() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("connectivity_3/", new byte[0]);
    m.put("connectivity_3/weights.txt.bz2", bzip2(WEIGHTS));
    m.put("connectivity_3/tract_lengths.txt", utf8("# lengths in mm\n" + TRACTS + "\n"));
    m.put("connectivity_3/centres.txt.bz2", bzip2(CENTRES));
    m.put("connectivity_3/cortical.txt", utf8("1\n1\n0\n"));
    m.put("connectivity_3/hemispheres.txt", utf8("True\nTrue\nFalse\n"));
    m.put("connectivity_3/areas.txt", utf8("100.5\n200\n300\n"));
    m.put("connectivity_3/average_orientations.txt", utf8("1 0 0\n0 1 0\n0 0 1\n"));
    Connectivity c = TvbConnectivity.read(zip("nested.zip", m));
    assertEquals(2.0, c.weights().get(2, 1));
    assertEquals("lA1", c.labels().get(2));
    assertArrayEquals(new boolean[] {true, true, false}, c.cortical().orElseThrow());
    assertArrayEquals(new boolean[] {true, true, false}, c.hemispheres().orElseThrow());
    assertArrayEquals(new double[] {100.5, 200, 300}, c.areas().orElseThrow());
    assertEquals(1.0, c.orientations().orElseThrow().get(2, 2));
  }

  @Test
  void missingRequiredEntryNamesZipAndEntry() throws IOException {
    Map<String, byte[]> m = required();
    m.remove("tract_lengths.txt");
    Path z = zip("broken.zip", m);
    AnatomyException e = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(z));
    assertThat(
        e.getMessage(),
        allOf(
            containsString("connectivity zip " + z),
            containsString("no entry 'tract_lengths.txt'"),
            containsString("it has weights.txt, centres.txt")));
  }

  @Test
  void wrongRowLengthNamesEntryAndLine() throws IOException {
    Map<String, byte[]> m = required();
    m.put("weights.txt", utf8("0 1 0\n1 0\n0 2 0\n"));
    Path z = zip("short_row.zip", m);
    AnatomyException e = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(z));
    assertEquals(
        "weights.txt in "
            + z
            + " line 2 has 2 values but 3 are expected (one per region in centres.txt)",
        e.getMessage());

    m = required();
    m.put("cortical.txt", utf8("1\n0\n"));
    Path z2 = zip("short_optional.zip", m);
    AnatomyException e2 = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(z2));
    assertThat(e2.getMessage(), containsString("cortical.txt in " + z2 + " has 2 values but 3"));

    m = required();
    m.put("tract_lengths.txt", utf8("0 1 x\n1 0 1\n1 1 0\n"));
    Path z3 = zip("not_number.zip", m);
    AnatomyException e3 = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(z3));
    assertThat(e3.getMessage(), containsString("line 1 has 'x', not a number"));
  }

  @Test
  void missingOrNonZipFile() throws IOException {
    Path absent = dir.resolve("connectivity_76.zip");
    AnatomyException e = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(absent));
    assertThat(e.getMessage(), containsString("does not exist"));
    Path text = dir.resolve("fake.zip");
    Files.writeString(text, "not a zip");
    AnatomyException e2 = assertThrows(AnatomyException.class, () -> TvbConnectivity.read(text));
    assertThat(e2.getMessage(), containsString("not a readable zip"));
    assertFalse(e2.getMessage().contains("\n"));
  }
}

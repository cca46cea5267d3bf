package io.beamline.io.mat;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatReaderErrorsTest {
  @TempDir Path dir;

  private Path sample(boolean compressed) throws IOException {
    Path f = dir.resolve(compressed ? "sample.mat" : "sample_plain.mat");
    MatWriter.create()
        .withCompression(compressed)
        .withDouble("fwd", MatV5RoundTripTest.random(5, 30, 40))
        .withDouble("cube", MatMatrix.zeros(2, 3, 4))
        .withString("label", "x")
        .write(f);
    return f;
  }

  private static void assertOneLine(MatFileException e) {
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("leadfield_75_20k.mat");
    MatFileException e = assertThrows(MatFileException.class, () -> MatReader.open(f));
    assertThat(
        e.getMessage(), allOf(containsString(f.toString()), containsString("does not exist")));
    assertTrue(e.variable().isEmpty());
  }

  @Test
  void missingVariableListsTheOnesThatExist() throws IOException {
    Path f = sample(true);
    MatFileException e =
        assertThrows(MatFileException.class, () -> MatReader.readMatrix(f, "leadfield"));
    assertEquals(
        "MAT file "
            + f
            + " has no variable 'leadfield'; it has fwd, cube, label. Pass one of those names or"
            + " re-save the data under 'leadfield'",
        e.getMessage());
  }

  @Test
  void nonNumericAndWrongDimensionality() throws IOException {
    Path f = sample(true);
    try (MatReader r = MatReader.open(f)) {
      MatFileException chars = assertThrows(MatFileException.class, () -> r.matrix("label"));
      assertThat(chars.getMessage(), containsString("'label' in " + f + " is char, not a real"));
      MatFileException dims = assertThrows(MatFileException.class, () -> r.matrix2d("cube"));
      assertThat(
          dims.getMessage(),
          containsString("'cube' in " + f + " is 3-D (2 x 3 x 4) but a 2-D array is expected"));
      assertEquals("cube", dims.variable().orElseThrow());
      MatFileException notText = assertThrows(MatFileException.class, () -> r.string("fwd"));
      assertThat(notText.getMessage(), containsString("not a char array"));
    }
  }

  @Test
  void truncatedV5FilesFailWithOneLine() throws IOException {
    for (boolean compressed : new boolean[] {true, false}) {
      byte[] bytes = Files.readAllBytes(sample(compressed));
      Path cut = dir.resolve("cut_" + compressed + ".mat");
      Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
      MatFileException e =
          assertThrows(MatFileException.class, () -> MatReader.readMatrix(cut, "fwd"));
      assertThat(
          e.getMessage(),
          allOf(containsString(cut.toString()), containsString("truncated or corrupt")));
      assertOneLine(e);
    }
  }

  @Test
  void headerOnlyAndShortFiles() throws IOException {
    byte[] bytes = Files.readAllBytes(sample(false));
    Path headerOnly = dir.resolve("header.mat");
    Files.write(headerOnly, Arrays.copyOf(bytes, 100));
    MatFileException e = assertThrows(MatFileException.class, () -> MatReader.open(headerOnly));
    assertThat(e.getMessage(), containsString("shorter than the 128-byte MAT v5 header"));
  }

  @Test
  void badHeaders() throws IOException {
    Path text = dir.resolve("notes.mat");
    Files.writeString(text, "fwd = [1 2 3]\n", StandardCharsets.US_ASCII);
    MatFileException e = assertThrows(MatFileException.class, () -> MatReader.open(text));
    assertThat(e.getMessage(), containsString("is not a MAT v5 or v7.3 file"));
    assertOneLine(e);

    byte[] bytes = Files.readAllBytes(sample(false));
    bytes[126] = 'X';
    Path endian = dir.resolve("endian.mat");
    Files.write(endian, bytes);
    MatFileException e2 = assertThrows(MatFileException.class, () -> MatReader.open(endian));
    assertThat(e2.getMessage(), containsString("invalid endian indicator"));

    Path zeros = dir.resolve("zeros.mat");
    Files.write(zeros, new byte[4096]);
    assertThrows(MatFileException.class, () -> MatReader.open(zeros));
  }

  @Test
  void garbageAfterValidHeaderIsCorruptNotACrash() throws IOException {
    byte[] bytes = Files.readAllBytes(sample(true));
    for (int i = 136; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    Path f = dir.resolve("garbage.mat");
    Files.write(f, bytes);
    MatFileException e = assertThrows(MatFileException.class, () -> MatReader.readMatrix(f, "fwd"));
    assertThat(e.getMessage(), containsString("truncated or corrupt"));
    assertOneLine(e);
  }
}

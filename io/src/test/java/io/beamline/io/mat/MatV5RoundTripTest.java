package io.beamline.io.mat;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatV5RoundTripTest {
  @TempDir Path dir;

  static MatMatrix random(long seed, int... shape) {
    Random rnd = new Random(seed);
    int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextGaussian() * 1e3;
    }
    return MatMatrix.of(shape, v);
  }

  @Test
  void doubleMatrixRoundTripsExactly() throws IOException {
    MatMatrix fwd = random(1, 7, 11);
    Path f = dir.resolve("leadfield.mat");
    MatWriter.create().withDouble("fwd", fwd).write(f);
    try (MatReader r = MatReader.open(f)) {
      assertEquals(MatReader.Version.V5, r.version());
      assertEquals(List.of("fwd"), r.variables());
      assertEquals(fwd, r.matrix2d("fwd"));
    }
  }

  @Test
  void singleMatrixRoundsToFloat() throws IOException {
    MatMatrix data = random(2, 5, 3);
    Path f = dir.resolve("nmm_1.mat");
    MatWriter.create().withSingle("data", data).write(f);
    MatMatrix back = MatReader.readMatrix(f, "data");
    assertArrayEquals(data.shape(), back.shape());
    for (int k = 0; k < data.size(); k++) {
      assertEquals((double) (float) data.getFlat(k), back.getFlat(k));
    }
    assertNotEquals(data, back); // proves the values really went through float32
  }

  @Test
  void threeDimensionalArrayKeepsShapeAndOrder() throws IOException {
    MatMatrix sel = random(3, 4, 2, 5);
    Path f = dir.resolve("train_sample_source1.mat");
    MatWriter.create().withDouble("selected_region", sel).write(f);
    try (MatReader r = MatReader.open(f)) {
      MatMatrix back = r.matrix("selected_region", 3);
      assertArrayEquals(new int[] {4, 2, 5}, back.shape());
      assertEquals(sel.get(3, 1, 4), back.get(3, 1, 4));
      assertEquals(sel, back);
    }
  }

  @Test
  void scalarsVectorsEmptiesAndStrings() throws IOException {
    Path f = dir.resolve("iter_0_i_3.mat");
    MatWriter.create()
        .withScalar("num_spike", 0)
        .withDouble("spike_time", MatMatrix.zeros(1, 0))
        .withDouble("nmm_idx", MatMatrix.vector(3, 1, 4, 1, 5))
        .withString("label", "lh_bankssts")
        .write(f);
    try (MatReader r = MatReader.open(f)) {
      assertEquals(List.of("num_spike", "spike_time", "nmm_idx", "label"), r.variables());
      assertEquals(MatMatrix.scalar(0), r.matrix("num_spike"));
      assertArrayEquals(new int[] {1, 0}, r.matrix("spike_time").shape());
      MatMatrix idx = r.matrix("nmm_idx");
      assertArrayEquals(new int[] {1, 5}, idx.shape()); // 1-D is written as a row
      assertArrayEquals(new double[] {3, 1, 4, 1, 5}, idx.toArray());
      assertEquals("lh_bankssts", r.string("label"));
    }
  }

  @Test
  void structsOfSupportedTypesIncludingNested() throws IOException {
    Map<String, MatValue> inner = new LinkedHashMap<>();
    inner.put("mu", MatValue.scalar(0.087));
    inner.put("name", MatValue.string("jansen_rit"));
    Map<String, MatValue> fields = new LinkedHashMap<>();
    fields.put("num_spike", MatValue.scalar(2));
    fields.put("spike_time", MatValue.doubles(MatMatrix.vector(1201, 5301)));
    fields.put("clip", MatValue.singles(MatMatrix.of(2, 2, new double[] {1.5, 2.5, 3.5, 4.5})));
    fields.put("model", MatValue.struct(inner));
    Path f = dir.resolve("info.mat");
    MatWriter.create().withStruct("info", fields).write(f);
    try (MatReader r = MatReader.open(f)) {
      assertEquals(MatMatrix.scalar(2), r.matrix("info.num_spike"));
      assertArrayEquals(new double[] {1201, 5301}, r.matrix("info.spike_time").toArray());
      assertEquals(3.5, r.matrix("info.clip").get(1, 0));
      assertEquals(0.087, r.matrix("info.model.mu").get(0, 0));
      assertEquals("jansen_rit", r.string("info.model.name"));
      MatFileException e = assertThrows(MatFileException.class, () -> r.matrix("info.model"));
      assertThat(e.getMessage(), containsString("'info.model' in " + f + " is struct"));
      MatFileException e2 = assertThrows(MatFileException.class, () -> r.matrix("info.nope"));
      assertThat(e2.getMessage(), containsString("num_spike, spike_time, clip, model"));
    }
  }

  @Test
  void compressionSwitchChangesTheEncoding() throws IOException {
    MatMatrix zeros = MatMatrix.zeros(200, 200);
    Path packed = dir.resolve("packed.mat");
    Path plain = dir.resolve("plain.mat");
    MatWriter w = MatWriter.create().withDouble("z", zeros);
    w.write(packed);
    w.withCompression(false).write(plain);
    // First element tag after the 128-byte header: 15 = miCOMPRESSED, 14 = miMATRIX.
    assertEquals(15, firstTagType(packed));
    assertEquals(14, firstTagType(plain));
    assertEquals(zeros, MatReader.readMatrix(plain, "z"));
    assertEquals(zeros, MatReader.readMatrix(packed, "z"));
  }

  /** Type of the first data element, in the byte order the header's endian indicator gives. */
  private static int firstTagType(Path f) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
    b.order(b.get(126) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    return b.getInt(128);
  }

  @Test
  void writerIsImmutableAndReplacesInPlace() throws IOException {
    MatWriter base = MatWriter.create().withScalar("a", 1).withScalar("b", 2);
    MatWriter changed = base.withScalar("a", 3);
    assertEquals(List.of("a", "b"), List.copyOf(changed.variables().keySet()));
    assertEquals(MatValue.scalar(1), base.variables().get("a"));
    assertEquals(MatValue.scalar(3), changed.variables().get("a"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> base.withScalar("1x", 0));
    assertThat(e.getMessage(), containsString("variable name '1x' is not a valid MATLAB name"));
    assertThrows(
        IllegalArgumentException.class,
        () -> base.withStruct("s", Map.of("bad-field", MatValue.scalar(1))));
  }

  @Test
  void writeIsAtomicAndLeavesNoTemporaries() throws IOException {
    Path f = dir.resolve("out/clip.mat");
    MatWriter.create().withScalar("x", 1).write(f);
    MatWriter.create().withScalar("x", 2).write(f);
    assertEquals(MatMatrix.scalar(2), MatReader.readMatrix(f, "x"));
    try (Stream<Path> s = Files.list(f.getParent())) {
      assertEquals(List.of("clip.mat"), s.map(p -> p.getFileName().toString()).toList());
    }
    MatFileException empty =
        assertThrows(MatFileException.class, () -> MatWriter.create().write(dir.resolve("e.mat")));
    assertThat(empty.getMessage(), containsString("add at least one variable"));
    assertFalse(Files.exists(dir.resolve("e.mat")));
  }
}

package io.beamline.io.mat;

import static io.beamline.io.mat.MatFixtures.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.testing.Interop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks our MAT files against the readers DeepSIF's code uses (scipy.io.loadmat, h5py, Octave
 * {@code load}) and reads files those tools write. Skipped when a tool is missing unless {@code
 * BEAMLINE_REQUIRE_INTEROP=1}; see {@link Interop}.
 */
class MatInteropTest {
  @TempDir Path dir;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final MatMatrix FWD = MatV5RoundTripTest.random(11, 3, 4);
  private static final MatMatrix DATA = MatV5RoundTripTest.random(12, 5, 3);
  private static final MatMatrix SELECTED = MatV5RoundTripTest.random(13, 4, 2, 5);

  /** A DeepSIF-shaped file: clip, leadfield, 3-D selection, resume markers and a struct. */
  private Path writeSample() throws IOException {
    Map<String, MatValue> model = new LinkedHashMap<>();
    model.put("mu", MatValue.scalar(0.087));
    model.put("name", MatValue.string("jansen_rit"));
    Map<String, MatValue> info = new LinkedHashMap<>();
    info.put("num_spike", MatValue.scalar(2));
    info.put("spike_time", MatValue.doubles(MatMatrix.vector(1201, 5301)));
    info.put("clip", MatValue.singles(MatMatrix.of(2, 2, new double[] {1.5, 2.5, 3.5, 4.5})));
    info.put("model", MatValue.struct(model));
    Path f = dir.resolve("sample.mat");
    MatWriter.create()
        .withDouble("fwd", FWD)
        .withSingle("data", DATA)
        .withDouble("selected_region", SELECTED)
        .withScalar("num_spike", 0)
        .withDouble("spike_time", MatMatrix.zeros(1, 0))
        .withDouble("nmm_idx", MatMatrix.vector(3, 1, 4, 1, 5))
        .withString("label", "lh_bankssts")
        .withStruct("info", info)
        .write(f);
    return f;
  }

  private static double[] floats(MatMatrix m) {
    double[] v = m.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) v[i];
    }
    return v;
  }

  private static double[] doubles(JsonNode array) {
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asDouble();
    }
    return v;
  }

  private static int[] ints(JsonNode array) {
    int[] v = new int[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asInt();
    }
    return v;
  }

  private static final String SCIPY_DUMP =
      """
      import json, sys
      import numpy as np, scipy.io as sio
      out = {}
      def emit(name, v):
          if isinstance(v, np.ndarray) and v.dtype.names:
              for f in v.dtype.names:
                  emit(name + "." + f, v[0, 0][f])
          elif isinstance(v, np.ndarray) and v.dtype.kind == "U":
              out[name] = {"dtype": "str", "value": str(v[0]) if v.size else ""}
          else:
              a = np.asarray(v)
              out[name] = {"dtype": str(a.dtype), "shape": list(a.shape),
                           "values": a.ravel(order="C").tolist()}
      for k, v in sio.loadmat(sys.argv[1]).items():
          if not k.startswith("__"):
              emit(k, v)
      print(json.dumps(out))
      """;

  @Test
  void scipyLoadmatReadsNamesShapesTypesAndValues() throws IOException {
    Interop.requirePython("scipy.io");
    Path f = writeSample();
    JsonNode out =
        JSON.readTree(Interop.python(SCIPY_DUMP, f.toString()).assertSuccess("loadmat").stdout());
    List<String> names = new ArrayList<>();
    out.fieldNames().forEachRemaining(names::add);
    assertEquals(
        List.of(
            "fwd",
            "data",
            "selected_region",
            "num_spike",
            "spike_time",
            "nmm_idx",
            "label",
            "info.num_spike",
            "info.spike_time",
            "info.clip",
            "info.model.mu",
            "info.model.name"),
        names);
    assertEquals("float64", out.at("/fwd/dtype").asText());
    assertArrayEquals(new int[] {3, 4}, ints(out.at("/fwd/shape")));
    assertArrayEquals(FWD.toArray(), doubles(out.at("/fwd/values")));
    assertEquals("float32", out.at("/data/dtype").asText());
    assertArrayEquals(new int[] {5, 3}, ints(out.at("/data/shape")));
    assertArrayEquals(floats(DATA), doubles(out.at("/data/values")));
    assertArrayEquals(new int[] {4, 2, 5}, ints(out.at("/selected_region/shape")));
    assertArrayEquals(SELECTED.toArray(), doubles(out.at("/selected_region/values")));
    assertArrayEquals(new int[] {1, 1}, ints(out.at("/num_spike/shape")));
    assertArrayEquals(new int[] {1, 0}, ints(out.at("/spike_time/shape")));
    assertArrayEquals(new int[] {1, 5}, ints(out.at("/nmm_idx/shape")));
    assertArrayEquals(new double[] {3, 1, 4, 1, 5}, doubles(out.at("/nmm_idx/values")));
    assertEquals("lh_bankssts", out.at("/label/value").asText());
    assertArrayEquals(new double[] {1201, 5301}, doubles(out.get("info.spike_time").get("values")));
    assertEquals("float32", out.get("info.clip").get("dtype").asText());
    assertArrayEquals(
        new double[] {1.5, 2.5, 3.5, 4.5}, doubles(out.get("info.clip").get("values")));
    assertEquals(0.087, out.get("info.model.mu").get("values").get(0).asDouble());
    assertEquals("jansen_rit", out.get("info.model.name").get("value").asText());
  }

  private static final String OCTAVE_DUMP =
      """
      1;
      function emit(name, v)
        if isstruct(v)
          f = fieldnames(v);
          for i = 1:numel(f)
            emit([name '.' f{i}], v.(f{i}));
          end
        elseif ischar(v)
          printf('STR %s %s\\n', name, v);
        else
          printf('NUM %s %s %s', name, class(v), ...
                 strjoin(arrayfun(@num2str, size(v), 'UniformOutput', false), 'x'));
          if numel(v) > 0
            p = permute(v, ndims(v):-1:1);
            printf(' %.17g', double(p(:)));
          end
          printf('\\n');
        end
      end
      s = load('%PATH%');
      names = fieldnames(s);
      for i = 1:numel(names)
        emit(names{i}, s.(names{i}));
      end
      """;

  /** Parsed line of the Octave dump: class, size and row-major values (or the text). */
  private record OctaveValue(String cls, String size, double[] values, String text) {}

  private static Map<String, OctaveValue> parseOctave(String stdout) {
    Map<String, OctaveValue> m = new LinkedHashMap<>();
    for (String line : stdout.split("\n")) {
      if (line.startsWith("STR ")) {
        String[] p = line.split(" ", 3);
        m.put(p[1], new OctaveValue("char", null, null, p.length > 2 ? p[2] : ""));
      } else if (line.startsWith("NUM ")) {
        String[] p = line.trim().split(" +");
        double[] v = new double[p.length - 4];
        for (int i = 0; i < v.length; i++) {
          v[i] = Double.parseDouble(p[4 + i]);
        }
        m.put(p[1], new OctaveValue(p[2], p[3], v, null));
      }
    }
    return m;
  }

  @Test
  void octaveLoadReadsNamesShapesTypesAndValues() throws IOException {
    Interop.require("octave");
    Path f = writeSample();
    Path script = dir.resolve("dump_mat.m");
    Files.writeString(script, OCTAVE_DUMP.replace("%PATH%", f.toString()));
    Interop.Result r = Interop.octave("source('" + script + "')").assertSuccess("octave load");
    Map<String, OctaveValue> v = parseOctave(r.stdout());
    assertEquals(
        List.of(
            "fwd",
            "data",
            "selected_region",
            "num_spike",
            "spike_time",
            "nmm_idx",
            "label",
            "info.num_spike",
            "info.spike_time",
            "info.clip",
            "info.model.mu",
            "info.model.name"),
        new ArrayList<>(v.keySet()),
        r.stdout() + r.stderr());
    assertEquals("3x4", v.get("fwd").size());
    assertEquals("double", v.get("fwd").cls());
    assertArrayEquals(FWD.toArray(), v.get("fwd").values());
    assertEquals("single", v.get("data").cls());
    assertEquals("5x3", v.get("data").size());
    assertArrayEquals(floats(DATA), v.get("data").values());
    assertEquals("4x2x5", v.get("selected_region").size());
    assertArrayEquals(SELECTED.toArray(), v.get("selected_region").values());
    assertEquals("1x0", v.get("spike_time").size());
    assertEquals("1x5", v.get("nmm_idx").size());
    assertEquals("lh_bankssts", v.get("label").text());
    assertEquals("single", v.get("info.clip").cls());
    assertArrayEquals(new double[] {1.5, 2.5, 3.5, 4.5}, v.get("info.clip").values());
    assertArrayEquals(new double[] {0.087}, v.get("info.model.mu").values());
    assertEquals("jansen_rit", v.get("info.model.name").text());
  }

  @Test
  void weReadWhatOctaveSaves() throws IOException {
    Interop.require("octave");
    Path f = dir.resolve("octave_v7.mat");
    Interop.octave(
            "fwd = reshape(1:12, 3, 4) / 4; sel = single(reshape(1:24, 2, 3, 4));"
                + " lab = 'lh_001'; info.num_spike = 2; info.spike_time = [10 20];"
                + " e = zeros(1, 0); save('-v7', '"
                + f
                + "', 'fwd', 'sel', 'lab', 'info', 'e');")
        .assertSuccess("octave save");
    try (MatReader r = MatReader.open(f)) {
      assertEquals(MatReader.Version.V5, r.version());
      MatMatrix fwd = r.matrix2d("fwd");
      MatMatrix sel = r.matrix("sel", 3);
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          assertEquals((1 + i + 3 * j) / 4.0, fwd.get(i, j)); // MATLAB fills columns first
        }
      }
      assertEquals(1 + 1 + 2 * 2 + 6 * 3, sel.get(1, 2, 3));
      assertEquals("lh_001", r.string("lab"));
      assertArrayEquals(new double[] {10, 20}, r.matrix("info.spike_time").toArray());
      assertArrayEquals(new int[] {1, 0}, r.matrix("e").shape());
    }
  }

  @Test
  void weReadWhatScipySaves() throws IOException {
    Interop.requirePython("scipy.io");
    Path f = dir.resolve("scipy.mat");
    Interop.python(
            """
            import sys, numpy as np, scipy.io as sio
            sio.savemat(sys.argv[1], {"fwd": np.arange(12.0).reshape(3, 4),
                                      "v": np.arange(3.0), "s": "abc",
                                      "st": {"a": 1.0, "b": np.ones((2, 3), np.float32)}},
                        do_compression=True)
            """,
            f.toString())
        .assertSuccess("savemat");
    try (MatReader r = MatReader.open(f)) {
      MatMatrix fwd = r.matrix2d("fwd");
      assertEquals(7.0, fwd.get(1, 3));
      assertArrayEquals(new int[] {1, 3}, r.matrix("v").shape());
      assertEquals("abc", r.string("s"));
      assertEquals(1.0, r.matrix("st.a").get(0, 0));
      assertArrayEquals(new int[] {2, 3}, r.matrix("st.b").shape());
    }
  }

  @Test
  void h5pyReadsTheJhdfV73FixtureAsMatlabLaysItOut() throws IOException {
    Interop.requirePython("h5py");
    Path f;
    try (MatFixtures.V73 fx = new MatFixtures.V73(dir)) {
      f = fx.doubles("fwd", ramp(3, 5)).chars("label", "ab").finish(dir.resolve("fx.mat"));
    }
    JsonNode out =
        JSON.readTree(
            Interop.python(
                    """
                    import h5py, json, sys
                    f = h5py.File(sys.argv[1], "r")
                    out = {"userblock": f.userblock_size}
                    for k in f:
                        c = f[k].attrs["MATLAB_class"]
                        c = c.decode() if isinstance(c, bytes) else str(c)
                        out[k] = {"class": c, "shape": list(f[k].shape),
                                  "values": f[k][()].ravel().tolist()}
                    print(json.dumps(out))
                    """,
                    f.toString())
                .assertSuccess("h5py")
                .stdout());
    assertEquals(512, out.get("userblock").asInt());
    assertEquals("double", out.at("/fwd/class").asText());
    assertArrayEquals(new int[] {5, 3}, ints(out.at("/fwd/shape"))); // transposed on disk
    double[] values = doubles(out.at("/fwd/values"));
    double[][] expected = ramp(3, 5);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 5; j++) {
        assertEquals(expected[i][j], values[j * 3 + i]);
      }
    }
    assertEquals("char", out.at("/label/class").asText());
    assertArrayEquals(new double[] {'a', 'b'}, doubles(out.at("/label/values")));
  }

  @Test
  void weReadV73FilesWrittenWithLibhdf5() throws IOException {
    Interop.requirePython("h5py");
    Path f = dir.resolve("h5py_v73.mat");
    Interop.python(
            """
            import sys, h5py, numpy as np
            path = sys.argv[1]
            def cls(d, c):
                d.attrs["MATLAB_class"] = np.bytes_(c)
                return d
            with h5py.File(path, "w", userblock_size=512) as f:
                fwd = np.arange(12, dtype=np.float64).reshape(3, 4) * 1.5
                cls(f.create_dataset("fwd", data=fwd.T, chunks=(2, 2), compression="gzip"), "double")
                sel = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
                cls(f.create_dataset("selected_region", data=sel.transpose(), compression="gzip"),
                    "single")
                g = f.create_group("clip_info")
                g.attrs["MATLAB_class"] = np.bytes_("struct")
                cls(g.create_dataset("num_spike", data=np.array([[3.0]])), "double")
                e = cls(f.create_dataset("spike_time", data=np.array([1, 0], np.uint64)), "double")
                e.attrs["MATLAB_empty"] = np.uint8(1)
                cls(f.create_dataset("nmm_idx", data=np.array([[5], [6], [7]], np.int32)), "int32")
            text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Nov 23 12:00:00 2026 HDF5 schema 1.00 ."
            with open(path, "r+b") as fh:
                fh.write(text.ljust(116, b" ") + bytes(8) + b"\\x00\\x02IM")
            """,
            f.toString())
        .assertSuccess("h5py write");
    try (MatReader r = MatReader.open(f)) {
      assertEquals(MatReader.Version.V7_3, r.version());
      MatMatrix fwd = r.matrix2d("fwd");
      assertArrayEquals(new int[] {3, 4}, fwd.shape());
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          assertEquals((4 * i + j) * 1.5, fwd.get(i, j));
        }
      }
      MatMatrix sel = r.matrix("selected_region", 3);
      assertArrayEquals(new int[] {2, 3, 4}, sel.shape());
      assertEquals(12 + 8 + 3, sel.get(1, 2, 3));
      assertEquals(3.0, r.matrix("clip_info.num_spike").get(0, 0));
      assertArrayEquals(new int[] {1, 0}, r.matrix("spike_time").shape());
      assertArrayEquals(new double[] {5, 6, 7}, r.matrix("nmm_idx").toArray());
      assertArrayEquals(new int[] {1, 3}, r.matrix("nmm_idx").shape());
    }
  }
}

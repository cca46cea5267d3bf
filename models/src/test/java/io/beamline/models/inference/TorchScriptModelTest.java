package io.beamline.models.inference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A TorchScript file (made by PyTorch for Python, see {@code make_affine.py} next to it) through
 * the same {@link ModelSpec} / {@code Criteria} path as the project's own models: alone, as a model
 * directory, and in an {@link InferenceWorker}.
 */
public class TorchScriptModelTest {
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  /** What the scripted module computes: {@code x @ W^T + b}. */
  static float[] affine(float[] x) {
    return new float[] {x[0] + 2 * x[1] + 3 * x[2] + 0.25f, -x[0] + 0.5f * x[1] - 1f};
  }

  private Path fixture(Path dir) throws IOException {
    Path pt = dir.resolve("affine.pt");
    try (InputStream in = getClass().getResourceAsStream("TorchScriptModelTest/affine.pt")) {
      Files.copy(in, pt);
    }
    return pt;
  }

  private static ModelSpec<float[], float[]> spec(Path path) {
    return ModelSpec.of(
        path.toString(), float[].class, float[].class, TinyLinear.VectorTranslator::new);
  }

  @Test
  public void aPtFileAndItsDirectoryLoadThroughCriteria() throws Exception {
    Path dir = tmp.newFolder("affine").toPath();
    Path pt = fixture(dir);
    float[] x = {0.5f, -2f, 4f};
    for (Path path : List.of(pt, dir)) {
      try (ZooModel<float[], float[]> m = spec(path).load(Device.cpu());
          Predictor<float[], float[]> pr = m.newPredictor()) {
        assertArrayEquals(path.toString(), affine(x), pr.predict(x), 1e-6f);
        List<float[]> batch = List.of(x, new float[] {1, 1, 1}, new float[] {0, 0, 0});
        List<float[]> out = pr.batchPredict(batch);
        for (int i = 0; i < batch.size(); i++) {
          assertArrayEquals(affine(batch.get(i)), out.get(i), 1e-6f);
        }
      }
    }
  }

  @Test
  public void runsInAnInferenceWorker() throws Exception {
    Path pt = fixture(tmp.newFolder("m").toPath());
    List<float[]> in = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      in.add(new float[] {i, -i / 2f, 1});
    }
    try (InferenceWorker<float[], float[]> w = InferenceWorker.open(spec(pt), "ts", 0, 1, 0)) {
      assertEquals("cpu-0", w.label());
      List<float[]> out = w.predict(in);
      assertEquals(9, out.size());
      for (int i = 0; i < in.size(); i++) {
        assertArrayEquals(affine(in.get(i)), out.get(i), 1e-5f);
      }
    }
  }

  @Test
  public void aCorruptPtFileIsRefusedNamingIt() throws Exception {
    Path bad = tmp.newFolder("bad").toPath().resolve("broken.pt");
    Files.writeString(bad, "not TorchScript");
    IOException e = assertThrows(IOException.class, () -> spec(bad).load(Device.cpu()));
    assertThat(e.getMessage(), containsString(bad.toAbsolutePath().toString()));
    assertThat(e.getMessage(), containsString("cannot load model"));
  }
}

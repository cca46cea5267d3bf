package io.beamline.models.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void concurrentAcquiresLoadOnceAndShareOneModel() throws Exception {
    ModelSpec<float[], float[]> spec = TinyLinear.spec(TinyLinear.save(tmp));
    long before = ModelCache.loads();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Callable<ModelCache.Handle>> tasks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tasks.add(() -> ModelCache.acquire(spec, Device.cpu()));
    }
    List<ModelCache.Handle> handles = new ArrayList<>();
    for (Future<ModelCache.Handle> f : pool.invokeAll(tasks)) {
      handles.add(f.get());
    }
    pool.shutdown();
    assertEquals(1, ModelCache.loads() - before);
    assertEquals(8, ModelCache.references(spec, Device.cpu()));
    long loaders = handles.stream().filter(h -> h.loadMillis() >= 0).count();
    assertEquals(1, loaders);
    for (ModelCache.Handle h : handles) {
      assertTrue(h.model() == handles.get(0).model());
    }
    ZooModel<float[], float[]> model = (ZooModel<float[], float[]>) handles.get(0).model();
    try (Predictor<float[], float[]> pr = model.newPredictor(spec.translator().get())) {
      float[] x = {1, 2, 3};
      assertArrayEquals(TinyLinear.expected(x), pr.predict(x));
    }
    for (ModelCache.Handle h : handles) {
      h.close();
      h.close(); // a second close must not release twice
    }
    assertEquals(0, ModelCache.references(spec, Device.cpu()));
    assertTrue(ModelCache.evictIdle() >= 1);
    // After eviction the next acquire loads again.
    try (ModelCache.Handle h = ModelCache.acquire(spec, Device.cpu())) {
      assertTrue(h.loadMillis() >= 0);
    }
    assertEquals(2, ModelCache.loads() - before);
  }
}

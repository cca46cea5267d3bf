package io.beamline.models.inference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class InferenceWorkerTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static List<float[]> inputs(int n, int from) {
    List<float[]> in = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      in.add(new float[] {i, i % 3, -0.5f * i});
    }
    return in;
  }

  @Test
  public void predictsExactOutputsInInputOrderOnTheCpuSlot() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    try (InferenceWorker<float[], float[]> w =
        InferenceWorker.open(TinyLinear.spec(dir), "exact", 0, 1, 0)) {
      assertEquals("cpu-0", w.label());
      List<float[]> in = inputs(7, 0);
      List<float[]> out = w.predict(in);
      assertEquals(7, out.size());
      for (int i = 0; i < in.size(); i++) {
        assertArrayEquals(TinyLinear.expected(in.get(i)), out.get(i), 0f);
      }
    }
  }

  @Test
  public void workersOfOneTransformShareOneModelAndTakeSlotsRoundRobin() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    long loadsBefore = ModelCache.loads();
    List<String> labels = new ArrayList<>();
    List<InferenceWorker<float[], float[]>> open = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        InferenceWorker<float[], float[]> w =
            InferenceWorker.open(TinyLinear.spec(dir), "round-robin", 0, 1, 3);
        open.add(w);
        labels.add(w.label());
        // Only the first open loads the model; the others share it.
        assertEquals(i > 0, w.loadMillis() < 0);
      }
    } finally {
      open.forEach(InferenceWorker::close);
    }
    assertEquals(List.of("cpu-0", "cpu-1", "cpu-2", "cpu-0"), labels);
    assertEquals(1, ModelCache.loads() - loadsBefore);
  }

  @Test
  public void aRejectedInputFailsTheCallWithAOneLineReasonNamingTheWorker() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    ModelSpec<float[], float[]> rejecting =
        ModelSpec.of(dir.toString(), float[].class, float[].class, TinyLinear.RejectNegative::new)
            .withModelName(TinyLinear.NAME)
            .withBlockFactory(new TinyLinear());
    try (InferenceWorker<float[], float[]> w = InferenceWorker.open(rejecting, "reject", 0, 1, 0)) {
      List<float[]> in = List.of(new float[] {1, 2, 3}, new float[] {-1, 0, 0});
      TranslateException e = assertThrows(TranslateException.class, () -> w.predict(in));
      String reason = w.describe(e);
      assertThat(reason, containsString("cpu-0: "));
      assertThat(reason, containsString("first value -1.0 is negative"));
      assertThat(reason, not(containsString("\n")));
      // The worker stays usable for the next batch.
      assertArrayEquals(TinyLinear.expected(in.get(0)), w.predict(List.of(in.get(0))).get(0), 0f);
    }
  }

  @Test
  public void anUnloadableModelIsRefusedNamingThePath() {
    Path missing = tmp.getRoot().toPath().resolve("no-such-model");
    IOException e =
        assertThrows(
            IOException.class,
            () -> InferenceWorker.open(TinyLinear.spec(missing), "missing", 0, 1, 0));
    assertThat(e.getMessage(), containsString(missing.toAbsolutePath() + " does not exist"));
  }

  /** Predicts one batch of three inputs per element, as a stage holding a worker does. */
  static final class PredictFn extends DoFn<Integer, Integer> {
    private final String modelDir;
    private transient InferenceWorker<float[], float[]> worker;

    PredictFn(String modelDir) {
      this.modelDir = modelDir;
    }

    @Setup
    public void setup() throws IOException {
      worker = InferenceWorker.open(TinyLinear.spec(Path.of(modelDir)), "metrics", 0, 1, 0);
    }

    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<Integer> out) throws Exception {
      out.output(worker.predict(inputs(3, i)).size());
    }

    @Teardown
    public void teardown() {
      if (worker != null) {
        worker.close();
      }
    }
  }

  @Test
  public void metricsCountCallsInputsAndOneModelLoadInTheCallingStep() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    PCollection<Integer> sizes =
        p.apply(Create.of(0, 1, 2, 3, 4).withCoder(VarIntCoder.of()))
            .apply("Predict", ParDo.of(new PredictFn(dir.toString())));
    PAssert.that(sizes).containsInAnyOrder(3, 3, 3, 3, 3);
    PipelineResult r = p.run();
    r.waitUntilFinish();
    assertEquals(5, counter(r, "predict_calls"));
    assertEquals(15, counter(r, "inputs"));
    assertEquals(5, distribution(r, "batch_latency_ms").getCount());
    assertEquals(1, distribution(r, "model_load_ms").getCount());
  }

  private static MetricQueryResults metric(PipelineResult r, String name) {
    return r.metrics()
        .queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(InferenceWorker.class, name))
                .build());
  }

  private static long counter(PipelineResult r, String name) {
    long sum = 0;
    for (MetricResult<Long> c : metric(r, name).getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static DistributionResult distribution(PipelineResult r, String name) {
    long count = 0;
    for (MetricResult<DistributionResult> m : metric(r, name).getDistributions()) {
      count += m.getAttempted().getCount();
    }
    return DistributionResult.create(0, count, 0, 0);
  }
}

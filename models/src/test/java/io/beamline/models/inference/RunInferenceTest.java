package io.beamline.models.inference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamline.io.failures.Failure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RunInferenceTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static List<KV<String, float[]>> inputs(int n) {
    List<KV<String, float[]>> in = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      in.add(KV.of("k" + i, new float[] {i, i % 3, -0.5f * i}));
    }
    return in;
  }

  private static List<InferenceResult<float[]>> expected(
      List<KV<String, float[]>> in, String worker) {
    List<InferenceResult<float[]>> out = new ArrayList<>();
    for (KV<String, float[]> kv : in) {
      out.add(new InferenceResult<>(kv.getKey(), TinyLinear.expected(kv.getValue()), worker));
    }
    return out;
  }

  private PCollection<KV<String, float[]>> create(List<KV<String, float[]>> in) {
    return p.apply(
        "Create", Create.of(in).withCoder(KvCoder.of(StringUtf8Coder.of(), FloatArrayCoder.of())));
  }

  private static MetricQueryResults metric(PipelineResult r, String name) {
    return r.metrics()
        .queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(RunInference.class, name))
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
    DistributionResult d = DistributionResult.IDENTITY_ELEMENT;
    for (MetricResult<DistributionResult> m : metric(r, name).getDistributions()) {
      DistributionResult a = m.getAttempted();
      d =
          DistributionResult.create(
              d.getSum() + a.getSum(),
              d.getCount() + a.getCount(),
              Math.min(d.getMin(), a.getMin()),
              Math.max(d.getMax(), a.getMax()));
    }
    return d;
  }

  @Test
  public void exactOutputsCarryKeyAndWorker() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = inputs(10);
    PCollectionTuple out =
        create(in)
            .apply(RunInference.of(TinyLinear.spec(dir), FloatArrayCoder.of()).withBatchSize(4));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(in, "cpu-0"));
    PAssert.that(out.get(RunInference.FAILURES)).empty();
    PipelineResult r = p.run();
    r.waitUntilFinish();
    assertEquals(10, counter(r, "inferences"));
    assertEquals(0, counter(r, "failures"));
    DistributionResult sizes = distribution(r, "batch_size");
    assertEquals(10, sizes.getSum());
    assertThat(sizes.getMax(), lessThanOrEqualTo(4L));
    assertThat(sizes.getCount(), greaterThanOrEqualTo(3L));
    assertEquals(sizes.getCount(), distribution(r, "batch_latency_ms").getCount());
  }

  @Test
  public void batchesNeverExceedTheBatchSizeAndLoseNothing() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = inputs(23);
    PCollectionTuple out =
        create(in)
            .apply(RunInference.of(TinyLinear.spec(dir), FloatArrayCoder.of()).withBatchSize(5));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(in, "cpu-0"));
    PipelineResult r = p.run();
    r.waitUntilFinish();
    DistributionResult sizes = distribution(r, "batch_size");
    assertEquals(23, sizes.getSum());
    assertThat(sizes.getMax(), lessThanOrEqualTo(5L));
    assertThat(sizes.getCount(), greaterThanOrEqualTo(5L));
  }

  @Test
  public void shardsMakeFullBatchesFromOneElementBundles() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = inputs(23);
    // After a reshuffle the DirectRunner hands each key's element over in a bundle of its own.
    PCollection<KV<String, float[]>> scattered = create(in).apply(Reshuffle.viaRandomKey());
    PCollectionTuple out =
        scattered.apply(
            RunInference.of(TinyLinear.spec(dir), FloatArrayCoder.of())
                .withBatchSize(5)
                .withShards(1));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(in, "cpu-0"));
    PAssert.that(out.get(RunInference.FAILURES)).empty();
    PipelineResult r = p.run();
    r.waitUntilFinish();
    DistributionResult sizes = distribution(r, "batch_size");
    assertEquals(23, sizes.getSum());
    assertEquals("4 full batches and the rest", 5, sizes.getCount());
    assertEquals(5, sizes.getMax());
    assertEquals(3, sizes.getMin());
  }

  @Test
  public void shardedBatchingIsolatesFailuresToo() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      in.add(KV.of("s" + i, new float[] {i == 4 ? -4 : i, 0, 1}));
    }
    ModelSpec<float[], float[]> spec =
        ModelSpec.of(dir.toString(), float[].class, float[].class, TinyLinear.RejectNegative::new)
            .withModelName(TinyLinear.NAME)
            .withBlockFactory(new TinyLinear());
    PCollectionTuple out =
        create(in)
            .apply(RunInference.of(spec, FloatArrayCoder.of()).withBatchSize(4).withShards(3));
    List<KV<String, float[]>> good = new ArrayList<>(in);
    good.remove(4);
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(good, "cpu-0"));
    PAssert.that(out.get(RunInference.FAILURES))
        .containsInAnyOrder(
            new Failure(
                "s4",
                "s4",
                "Predict",
                "cpu-0: IllegalArgumentException: first value -4.0 is negative"));
    p.run().waitUntilFinish();
  }

  @Test
  public void batchSizeOneGivesOneCallPerInput() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = inputs(7);
    PCollectionTuple out =
        create(in)
            .apply(RunInference.of(TinyLinear.spec(dir), FloatArrayCoder.of()).withBatchSize(1));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(in, "cpu-0"));
    PipelineResult r = p.run();
    r.waitUntilFinish();
    DistributionResult sizes = distribution(r, "batch_size");
    assertEquals(7, sizes.getCount());
    assertEquals(1, sizes.getMax());
  }

  @Test
  public void paddingKeepsOutputsAndCountsOnlyRealInputs() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = inputs(9);
    PCollectionTuple out =
        create(in)
            .apply(
                RunInference.of(TinyLinear.spec(dir), FloatArrayCoder.of())
                    .withBatchSize(4)
                    .withPadding(RunInference.Padding.ALWAYS));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(in, "cpu-0"));
    PipelineResult r = p.run();
    r.waitUntilFinish();
    assertEquals(9, counter(r, "inferences"));
    assertEquals(9, distribution(r, "batch_size").getSum());
  }

  @Test
  public void rejectedInputsGoToFailuresAndTheirNeighboursStillGetResults() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    List<KV<String, float[]>> in = new ArrayList<>();
    List<KV<String, float[]>> good = new ArrayList<>();
    List<Failure> bad = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      float[] x = {i % 4 == 1 ? -i : i, 1, 2};
      KV<String, float[]> kv = KV.of("c" + i, x);
      in.add(kv);
      if (x[0] < 0) {
        bad.add(
            new Failure(
                "c" + i,
                "c" + i,
                "Predict",
                "cpu-0: IllegalArgumentException: first value " + x[0] + " is negative"));
      } else {
        good.add(kv);
      }
    }
    ModelSpec<float[], float[]> spec =
        ModelSpec.of(dir.toString(), float[].class, float[].class, TinyLinear.RejectNegative::new)
            .withModelName(TinyLinear.NAME)
            .withBlockFactory(new TinyLinear());
    PCollectionTuple out =
        create(in).apply(RunInference.of(spec, FloatArrayCoder.of()).withBatchSize(4));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .containsInAnyOrder(expected(good, "cpu-0"));
    PAssert.that(out.get(RunInference.FAILURES)).containsInAnyOrder(bad);
    PipelineResult r = p.run();
    r.waitUntilFinish();
    assertEquals(bad.size(), counter(r, "failures"));
    assertEquals(good.size(), counter(r, "inferences"));
    assertThat(counter(r, "failed_batches"), greaterThanOrEqualTo(1L));
  }

  @Test
  public void modelIsLoadedOnceAcrossDoFnInstancesAndWorkersAreLabelled() throws Exception {
    Path dir = TinyLinear.save(tmp.newFolder("m").toPath());
    p.getOptions().as(DirectOptions.class).setTargetParallelism(6);
    List<KV<String, float[]>> in = inputs(200);
    long loadsBefore = ModelCache.loads();
    PCollectionTuple out =
        create(in)
            .apply(Reshuffle.viaRandomKey())
            .apply(
                RunInference.of(TinyLinear.spec(dir), FloatArrayCoder.of())
                    .withBatchSize(3)
                    .withCpuWorkers(3));
    PAssert.that(out.get(RunInference.<float[]>results()))
        .satisfies(
            all -> {
              Set<String> keys = new HashSet<>();
              int n = 0;
              for (InferenceResult<float[]> res : all) {
                assertTrue(res.worker(), Set.of("cpu-0", "cpu-1", "cpu-2").contains(res.worker()));
                int i = Integer.parseInt(res.key().substring(1));
                assertTrue(
                    java.util.Arrays.equals(
                        TinyLinear.expected(in.get(i).getValue()), res.output()));
                keys.add(res.key());
                n++;
              }
              assertEquals(200, n);
              assertEquals(200, keys.size());
              return null;
            });
    PipelineResult r = p.run();
    r.waitUntilFinish();
    assertEquals(1, ModelCache.loads() - loadsBefore);
    assertEquals(1, distribution(r, "model_load_ms").getCount());
  }

  @Test
  public void anUnloadableModelFailsTheRunNamingThePath() {
    Path missing = tmp.getRoot().toPath().resolve("no-such-model");
    create(inputs(2)).apply(RunInference.of(TinyLinear.spec(missing), FloatArrayCoder.of()));
    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    assertThat(messages.toString(), containsString(missing.toAbsolutePath() + " does not exist"));
  }

  @Test
  public void withersValidateAndNameTheParameter() {
    RunInference<float[], float[]> r =
        RunInference.of(TinyLinear.spec(Path.of("x")), FloatArrayCoder.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> r.withBatchSize(0));
    assertThat(e.getMessage(), containsString("withBatchSize"));
    assertThrows(IllegalArgumentException.class, () -> r.withMaxGpus(-2));
    assertThrows(IllegalArgumentException.class, () -> r.withWorkersPerGpu(0));
    assertThrows(IllegalArgumentException.class, () -> r.withCpuWorkers(-1));
    assertThrows(IllegalArgumentException.class, () -> r.withMaxWaitMillis(-1));
    IllegalArgumentException shards =
        assertThrows(IllegalArgumentException.class, () -> r.withShards(-1));
    assertThat(shards.getMessage(), containsString("withShards"));
    p.enableAbandonedNodeEnforcement(false);
  }
}

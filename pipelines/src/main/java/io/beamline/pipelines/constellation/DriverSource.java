package io.beamline.pipelines.constellation;

import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Spread;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * {@code driver-source} ({@code --no-kafka}): runs the session's drivers inside the graph, one per
 * worker, and emits the events that survive fault injection, bypassing Kafka. It rejects nothing;
 * its failures output is empty.
 */
final class DriverSource extends SessionSource<DriverSource.Config> {
  private static final long serialVersionUID = 1L;

  /**
   * @param plan the session whose drivers run
   * @param runId the run whose progress line counts the samples generated
   */
  record Config(SessionPlan plan, String runId) implements ModuleConfig<DriverSource> {
    Config {
      if (plan == null || runId == null) {
        throw new IllegalArgumentException(
            String.format("driver-source needs plan and runId, got %s, %s", plan, runId));
      }
    }

    @Override
    public DriverSource toModule() {
      return new DriverSource(this);
    }
  }

  private DriverSource(Config config) {
    super("driver-source", config);
  }

  @Override
  PCollectionTuple read(PBegin begin) {
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < config().plan().drivers.size(); i++) {
      indices.add(i);
    }
    return begin
        .apply("Drivers", Create.of(indices).withCoder(VarIntCoder.of()))
        .apply("SpreadDrivers", Spread.by((Integer i) -> i))
        .apply(
            "RunDrivers",
            ParDo.of(new GenerateFn(config().plan(), config().runId()))
                .withOutputTags(EVENTS_TAG, TupleTagList.of(FAILURES_TAG)));
  }

  /** Runs one driver (with the session's faults) and emits its events. */
  static final class GenerateFn extends DoFn<Integer, SensorEvent> {
    private final SessionPlan plan;
    private final String runId;

    GenerateFn(SessionPlan plan, String runId) {
      this.plan = plan;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element Integer index, MultiOutputReceiver out) {
      SensorDriver d = plan.drivers.get(index);
      var events = plan.faultedEvents(d);
      long samples = 0;
      AtomicLong generated = ConstellationConsole.progress(runId).ingested;
      while (events.hasNext()) {
        SensorEvent e = events.next();
        samples += e.sampleCount();
        generated.addAndGet(e.sampleCount());
        out.get(EVENTS_TAG).output(e);
      }
      Metrics.counter(ConstellationPipeline.NAMESPACE, "samples_ingested_" + d.modality())
          .inc(samples);
    }
  }
}

package io.beamline.pipelines.stream.process;

import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Each STF outcome as its {@code stf_processed} message, completing the {@code stf_gen} it answers
 * (sent again for an STF recovered from its commit record: the monitor upserts by file name).
 */
final class StfProcessedMessages
    extends PTransform<PCollection<StfOutcome>, PCollection<Outbound>> {
  private static final long serialVersionUID = 1L;
  private final String agent;

  private StfProcessedMessages(String agent) {
    this.agent = agent;
  }

  static StfProcessedMessages of(String agent) {
    return new StfProcessedMessages(agent);
  }

  @Override
  public PCollection<Outbound> expand(PCollection<StfOutcome> outcomes) {
    String a = agent;
    return outcomes
        .apply(
            "ToStfProcessed",
            MapElements.into(TypeDescriptor.of(Outbound.class))
                .via(o -> ProcessMessages.stfProcessed(o, a)))
        .setCoder(SerializableCoder.of(Outbound.class));
  }
}

package io.beamline.framework.run;

import io.beamline.io.failures.Failure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Turns a pipeline's rejected records ({@link Failure}s) into failure records of the commit
 * protocol ({@link ItemCommits}), one per input they came from: the input is the item, and its
 * record says how many of its records were rejected and why the first ones were. The run then ends
 * {@code partial} (exit status 3) instead of reporting success over silently dropped rows.
 *
 * <pre>{@code
 * parsed.get(SampleCsvIO.FAILURES)
 *     .apply("RecordFailures", FailureRecords.to(ItemCommits.of(outputDir, "demo"), runId));
 * }</pre>
 */
public final class FailureRecords extends PTransform<PCollection<Failure>, PDone> {
  /** How many rejected records a failure record quotes. */
  static final int QUOTED = 3;

  private final ItemCommits commits;
  private final String runId;

  private FailureRecords(ItemCommits commits, String runId) {
    this.commits = commits;
    this.runId = runId;
  }

  /** Records failures under {@code commits} as run {@code runId}'s. */
  public static FailureRecords to(ItemCommits commits, String runId) {
    return new FailureRecords(commits, runId);
  }

  @Override
  public PDone expand(PCollection<Failure> failures) {
    failures
        .apply(
            "BySource", WithKeys.of((Failure f) -> f.source).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Failure.class)))
        .apply("GroupBySource", GroupByKey.create())
        .apply("WriteFailureRecords", ParDo.of(new RecordFn(commits, runId)));
    return PDone.in(failures.getPipeline());
  }

  static final class RecordFn extends DoFn<KV<String, Iterable<Failure>>, Void> {
    private final ItemCommits commits;
    private final String runId;

    RecordFn(ItemCommits commits, String runId) {
      this.commits = commits;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Failure>> group) throws IOException {
      List<Failure> all = new ArrayList<>();
      group.getValue().forEach(all::add);
      all.sort(Comparator.comparing((Failure f) -> f.item).thenComparing(f -> f.error));
      StringBuilder msg =
          new StringBuilder()
              .append(all.size())
              .append(all.size() == 1 ? " record of " : " records of ")
              .append(group.getKey())
              .append(" rejected");
      for (int i = 0; i < Math.min(QUOTED, all.size()); i++) {
        msg.append(i == 0 ? ": " : "; ")
            .append(all.get(i).item)
            .append(": ")
            .append(all.get(i).error);
      }
      if (all.size() > QUOTED) {
        msg.append("; and ").append(all.size() - QUOTED).append(" more");
      }
      commits
          .begin(group.getKey())
          .detail("rejected", all.size())
          .detail("step", all.get(0).step)
          .fail(runId, msg.toString());
    }
  }
}

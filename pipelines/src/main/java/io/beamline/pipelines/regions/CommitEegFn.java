package io.beamline.pipelines.regions;

import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Commits the EEG item once every part has ended (the plan and all part events arrive grouped under
 * one key): the staged parts move into directories that replace the final folders whole, then the
 * record is written; a failed or missing part fails the item instead.
 */
final class CommitEegFn extends DoFn<KV<String, Iterable<EegEvent>>, Void> {
  private final ItemCommits commits;
  private final String key;
  private final String runId;
  private final EegStaging staging;

  CommitEegFn(ItemCommits commits, String key, String runId, EegStaging staging) {
    this.commits = commits;
    this.key = key;
    this.runId = runId;
    this.staging = staging;
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<EegEvent>> events) throws IOException {
    EegEvent plan = null;
    TreeMap<Integer, EegEvent> parts = new TreeMap<>();
    for (EegEvent e : events.getValue()) {
      if (e.isPlan()) {
        plan = e;
      } else {
        parts.put(e.part(), e);
      }
    }
    Path eegStaging = Paths.get(staging.eegStaging());
    Path tableStaging = Paths.get(staging.tableStaging());
    try {
      if (plan == null) {
        return; // nothing was planned: the item was committed already
      }
      String error = null;
      int samples = 0;
      for (int k = 0; k < plan.parts() && error == null; k++) {
        EegEvent p = parts.get(k);
        if (p == null) {
          error = "EEG part " + k + " was never mixed";
        } else if (p.error() != null) {
          error = p.error();
        } else {
          samples += p.samples();
        }
      }
      if (error != null) {
        commits.begin(key).detail("fingerprint", plan.fingerprint()).fail(runId, error);
        System.out.println("\u2717 Mixed EEG failed: " + error);
        return;
      }
      ItemCommit item = commits.begin(key);
      moveAll(eegStaging, item.stageDirectory(Paths.get(staging.eegDir())));
      moveAll(tableStaging, item.stageDirectory(Paths.get(staging.tableDir())));
      item.detail("fingerprint", plan.fingerprint())
          .detail("parts", plan.parts())
          .detail("samples", samples)
          .commit(runId);
      System.out.println(
          "\u2713 Mixed EEG: "
              + samples
              + " samples in "
              + plan.parts()
              + " files -> "
              + staging.eegDir());
    } finally {
      AtomicFiles.deleteTree(eegStaging);
      AtomicFiles.deleteTree(tableStaging);
    }
  }

  private static void moveAll(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> s = Files.list(from)) {
      for (Path f : s.toList()) {
        if (!AtomicFiles.isTemporary(f.getFileName().toString())) {
          Files.move(f, to.resolve(f.getFileName()));
        }
      }
    }
  }
}

package io.beamline.pipelines.regions;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.HostName;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * One region as one committed item ({@link ItemCommits}, pipeline {@code regions}, key {@link
 * #key}): a region whose record verifies (succeeded, every output present with its recorded size,
 * made with the same settings fingerprint) is skipped, as the seed skips a region whose {@code
 * clip_info} files exist; otherwise it is simulated ({@link RegionWork}) into staged outputs, which
 * are committed together (the clip folder {@code a<r>/} replaces the previous one as a whole, so
 * clips of an earlier run cannot linger), and then its record is written. A region that throws gets
 * a failure record with its one-line error, so the run ends {@code partial}. Emits the region id
 * once the region is committed, skipped or failed.
 *
 * <p>Status lines go to stdout: a region is minutes of work, so one banner per region and step is
 * the progress report DeepSIF's users know, not per-element logging.
 */
final class ProcessRegionFn extends DoFn<Integer, Integer> {
  /** The iterations DeepSIF knows; markers of those a run does not make are removed. */
  private static final int[] ALL_ITERATIONS = {0, 1, 2};

  private final RegionSettings settings;
  private final String fingerprint;
  private final ItemCommits commits;
  private final String runId;
  private final int first;
  private final int count;
  private final String progressKey;
  private final Counter succeeded = Metrics.counter(RegionsPipeline.class, "regions_succeeded");
  private final Counter failed = Metrics.counter(RegionsPipeline.class, "regions_failed");
  private final Counter skipped = Metrics.counter(RegionsPipeline.class, "regions_skipped");
  private final Counter clipsWritten = Metrics.counter(RegionsPipeline.class, "spike_clips");

  /**
   * @param fingerprint {@link RegionSettings#fingerprint} of {@code settings}, computed once
   * @param progressKey a key unique to the run for the progress bar
   */
  ProcessRegionFn(
      RegionSettings settings,
      String fingerprint,
      ItemCommits commits,
      String runId,
      int first,
      int count,
      String progressKey) {
    this.settings = settings;
    this.fingerprint = fingerprint;
    this.commits = commits;
    this.runId = runId;
    this.first = first;
    this.count = count;
    this.progressKey = progressKey;
  }

  /** The item key of {@code region} in spike folder {@code folder}: {@code nmm_spikes.region-5}. */
  static String key(String folder, int region) {
    return folder + ".region-" + region;
  }

  /** The region of a key of {@code folder}, or -1 when the key is not one of its regions. */
  static int region(String folder, String key) {
    String prefix = folder + ".region-";
    if (!key.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(key.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The record of a committed region made with {@code fingerprint}, if any. */
  static Optional<CommitRecord> committed(ItemCommits commits, String key, String fingerprint) {
    return commits.committed(key).filter(r -> fingerprint.equals(r.details().get("fingerprint")));
  }

  @ProcessElement
  public void process(@Element Integer region, OutputReceiver<Integer> out) throws IOException {
    PrintStream progress = System.out;
    long t0 = System.nanoTime();
    String label = settings.anatomy().label(region);
    // One print per banner: regions run in parallel and their lines must not interleave.
    String bar = "#".repeat(80);
    progress.println(
        bar
            + "\n# Processing Region "
            + region
            + " ("
            + (region - first + 1)
            + "/"
            + count
            + ")\n"
            + bar);
    RegionProgress status = new RegionProgress(System.err, progressKey, first, count);
    RegionsOutput files = settings.output();
    String key = key(files.spikeFolder(), region);
    Optional<CommitRecord> done = committed(commits, key, fingerprint);
    if (done.isPresent()) {
      skipped.inc();
      progress.println(
          "\u2713 Region "
              + region
              + " already processed (clip_info committed by run "
              + done.get().runId()
              + "), skipped");
      status.finished(region, "skipped", (System.nanoTime() - t0) / 1e9, null);
      out.output(region);
      return;
    }
    RegionWork work = new RegionWork(settings, progress, status);
    ItemCommit item = commits.begin(key);
    // Which executor ran it: regions are spread over the workers, and this shows where they went.
    item.detail("region", region).detail("label", label).detail("worker", HostName.worker());
    List<Path> staged = new ArrayList<>();
    boolean committing = false;
    try {
      Path dir = item.stageDirectory(files.regionDir(region));
      staged.add(dir);
      Map<Integer, Path> markers = new LinkedHashMap<>();
      for (int m : settings.simulation().iterations()) {
        Path marker = item.stage(files.clipInfo(m, region));
        staged.add(marker);
        markers.put(m, marker);
      }
      Path raw = null;
      if (settings.simulation().keepRaw()) {
        raw = item.stageDirectory(files.rawDir(region));
        staged.add(raw);
      }
      RegionWork.Result r = work.process(region, new RegionWork.Outputs(dir, markers, raw));
      double seconds = (System.nanoTime() - t0) / 1e9;
      removeStale(files, region);
      item.detail("fingerprint", fingerprint)
          .detail("spike_folder", files.spikeFolder())
          .detail("iterations", Arrays.stream(settings.simulation().iterations()).boxed().toList())
          .detail("spikes_per_iteration", Arrays.stream(r.spikesPerIteration()).boxed().toList())
          .detail("spikes", r.spikes())
          .detail("seconds", seconds)
          .detail("settings", settings.describe())
          .detail(ItemCommits.INPUT_DIGEST, RegionsItems.inputDigest(settings.anatomy()));
      committing = true;
      item.commit(runId);
      succeeded.inc();
      clipsWritten.inc(r.clips().size());
      progress.printf("\u2713 Completed region %d in %.2f seconds%n", region, seconds);
      status.finished(region, "succeeded", seconds, null);
    } catch (Exception | OutOfMemoryError e) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      String error = Runs.oneLine(e);
      if (committing) {
        // The item ended inside commit: what it had not moved yet is still staged.
        for (Path p : staged) {
          AtomicFiles.deleteTree(p);
        }
        error =
            "cannot put the outputs of region "
                + region
                + " in place ("
                + error
                + "); free or move aside what occupies that path and re-run";
        commits
            .begin(key)
            .detail("region", region)
            .detail("label", label)
            .detail("seconds", seconds)
            .fail(runId, error);
      } else {
        item.detail("seconds", seconds).fail(runId, error);
      }
      failed.inc();
      progress.println("\u2717 Region " + region + " failed: " + error);
      status.finished(region, "failed", seconds, error);
    }
    out.output(region);
  }

  /**
   * Markers of iterations this run does not make, and raw traces when they are not kept, are from
   * other settings: removed before the commit (an older record that lists them then no longer
   * verifies, which is right: the region is being replaced).
   */
  private void removeStale(RegionsOutput files, int region) throws IOException {
    for (int m : ALL_ITERATIONS) {
      if (!settings.simulation().simulates(m)) {
        Files.deleteIfExists(files.clipInfo(m, region));
      }
    }
    if (!settings.simulation().keepRaw()) {
      AtomicFiles.deleteTree(files.rawDir(region));
    }
  }
}

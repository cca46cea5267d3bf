package io.beamline.pipelines.infer.run;

import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.ItemConfig;
import io.beamline.framework.run.RunLock;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where {@code infer run} writes, resolved once from the options (absolute, normalised; strings so
 * that the record travels to the workers).
 *
 * @param outputDir {@code --output-dir}: detections, commit records, run records
 * @param rawDir raw score files: {@code --output}, else {@code <output-dir>/artifacts/infer}
 * @param telemetryDir telemetry: {@code --log-dir}, else {@code <output-dir>/telemetry}
 * @param summaryDir summary and workers files: {@code --log-dir}, else {@code <output-dir>}
 * @param rawGiven whether {@code --output} was given (for messages naming the flag)
 * @param logGiven whether {@code --log-dir} was given
 */
record RunPaths(
    String outputDir,
    String rawDir,
    String telemetryDir,
    String summaryDir,
    boolean rawGiven,
    boolean logGiven,
    ItemConfig itemConfig)
    implements Serializable {

  /** The paths {@code o} names. */
  static RunPaths of(InferRunOptions o) {
    Path out = Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
    boolean rawGiven = o.getOutput() != null && !o.getOutput().isBlank();
    boolean logGiven = o.getLogDir() != null && !o.getLogDir().isBlank();
    Path raw =
        rawGiven
            ? Paths.get(o.getOutput()).toAbsolutePath().normalize()
            : out.resolve("artifacts").resolve("infer");
    Path log = logGiven ? Paths.get(o.getLogDir()).toAbsolutePath().normalize() : null;
    return new RunPaths(
        out.toString(),
        raw.toString(),
        (log == null ? out.resolve("telemetry") : log).toString(),
        (log == null ? out : log).toString(),
        rawGiven,
        logGiven,
        ItemConfig.from(o));
  }

  Path output() {
    return Paths.get(outputDir);
  }

  Path raw() {
    return Paths.get(rawDir);
  }

  Path telemetry() {
    return Paths.get(telemetryDir);
  }

  Path summary() {
    return Paths.get(summaryDir);
  }

  /** The commit records of this pipeline under {@code <output-dir>/commits/infer-run/}. */
  ItemCommits commits() {
    return ItemCommits.of(output(), InferRunPipeline.NAME, itemConfig);
  }

  /** The raw score file of chunk {@code t}: {@code <raw>/<recording_id>/<chunk_id>.json}. */
  Path rawFile(ChunkTask t) {
    return raw().resolve(safe(t.recordingId())).resolve(safe(t.chunkId()) + ".json");
  }

  /** The telemetry file of manifest {@code stem}. */
  Path telemetryFile(String stem) {
    return telemetry().resolve(stem + ".jsonl");
  }

  /** A name safe as one path element or file name prefix. */
  static String safe(String s) {
    String r = s.replaceAll("[^A-Za-z0-9_.-]", "_");
    return r.isEmpty() || r.equals(".") || r.equals("..") ? "_" + r : r;
  }

  /**
   * Removes the temporaries a killed run left where the run framework does not look (it cleans the
   * output directory): under {@code --output} when that is outside the output directory, and the
   * temporaries of {@code stems}' files in {@code --log-dir}; only while no run of the output
   * directory other than {@code runId} is alive, as the framework does.
   */
  void removeTemporariesOutside(String runId, List<String> stems) throws IOException {
    Path out = output();
    Path runs = out.resolve("runs");
    if (Files.isDirectory(runs)) {
      try (Stream<Path> s = Files.list(runs)) {
        for (Path d : s.toList()) {
          if (!d.getFileName().toString().equals(runId) && RunLock.alive(d)) {
            return;
          }
        }
      }
    }
    if (!raw().startsWith(out)) {
      AtomicFiles.removeTemporaries(raw());
    }
    Set<String> mine = new HashSet<>();
    for (String stem : stems) {
      for (String suffix : List.of(".jsonl", ".summary.json", ".workers.csv")) {
        mine.add("." + stem + suffix + ".");
      }
    }
    for (Path d : new LinkedHashSet<>(List.of(telemetry(), summary()))) {
      if (d.startsWith(out) || !Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> s = Files.list(d)) {
        for (Path f : s.toList()) {
          String n = f.getFileName().toString();
          if (AtomicFiles.isTemporary(n) && mine.stream().anyMatch(n::startsWith)) {
            AtomicFiles.deleteTree(f);
          }
        }
      }
    }
  }
}

package io.beamline.pipelines.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.BuildInfo;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands exported shards over to model training: validates a {@link TrainingSpec}, resolves the
 * shard files it names, and records the job as {@code training_job.json} next to the shards.
 *
 * <p>Beamline does not submit training jobs. With no cloud target configured the spec is logged and
 * the hand-off returns, as the seed's launcher does outside AWS; with one, the target is recorded
 * in the job file for a launcher to submit.
 *
 * <pre>{@code
 * TrainingJob job =
 *     TrainingHandoff.handOff(Path.of("train.yaml"), Path.of("out/gold/subj/sess"), runId);
 * }</pre>
 */
public final class TrainingHandoff {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingHandoff.class);

  /** Name of the job file written next to the shards. */
  public static final String JOB_FILE = "training_job.json";

  private TrainingHandoff() {}

  /**
   * A recorded training job.
   *
   * @param jobName the job's name
   * @param jobFile the {@code training_job.json} written
   * @param spec the validated spec
   * @param shards the shard files, sorted by name
   * @param submitted always false: Beamline records jobs, it does not submit them
   */
  public record TrainingJob(
      String jobName, Path jobFile, TrainingSpec spec, List<Path> shards, boolean submitted) {}

  /**
   * Validates {@code configFile}, finds the shards its {@code shards} glob names in {@code
   * shardsDir}, and writes {@code shardsDir/training_job.json} atomically.
   *
   * @param jobName 1-63 letters, digits and hyphens, starting and ending with a letter or digit
   *     (SageMaker's rule); a run's job name qualifies
   * @throws UserInputException one line naming the config file, the field or the directory at
   *     fault; nothing is written then
   */
  public static TrainingJob handOff(Path configFile, Path shardsDir, String jobName) {
    return handOff(configFile, shardsDir, shardsDir, jobName);
  }

  /**
   * Like {@link #handOff(Path, Path, String)} for shards not yet in place: finds them in {@code
   * stagedDir} and writes {@code training_job.json} there, but records {@code finalDir}, where the
   * caller then moves the whole directory (a pipeline committing its outputs as a whole), as the
   * shards' directory. The job file then names exactly the shards committed with it.
   */
  public static TrainingJob handOff(
      Path configFile, Path stagedDir, Path finalDir, String jobName) {
    TrainingSpec spec = TrainingSpec.load(configFile);
    if (jobName == null || !jobName.matches("[A-Za-z0-9](-*[A-Za-z0-9]){0,62}")) {
      throw new UserInputException(
          "training job name '"
              + jobName
              + "' must be 1-63 letters, digits and hyphens, starting and ending with a letter or"
              + " digit");
    }
    Path dir = stagedDir.toAbsolutePath().normalize();
    Path recorded = finalDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(
          "shards directory " + recorded + " does not exist; nothing to hand over to training");
    }
    List<Path> shards = resolveShards(dir, spec.shards());
    if (shards.isEmpty()) {
      throw new UserInputException(
          "no shards matching '"
              + spec.shards()
              + "' in "
              + recorded
              + "; check 'shards' in training config "
              + configFile);
    }

    List<Map<String, Object>> listed = new ArrayList<>();
    long bytes = 0;
    for (Path s : shards) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", s.getFileName().toString());
      long size = size(s);
      m.put("size", size);
      bytes += size;
      listed.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("job_name", jobName);
    doc.put("created_utc", Instant.now().toString());
    doc.put("status", "recorded");
    doc.put("submitted", false);
    doc.put(
        "submission",
        spec.cloud() == null
            ? "none: no cloud target configured"
            : "not performed: Beamline records the "
                + spec.cloud().provider()
                + " target; submit this job with your launcher");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("path", configFile.toAbsolutePath().normalize().toString());
    try {
      config.put("sha256", Digests.sha256(configFile));
    } catch (IOException e) {
      throw new UserInputException(
          "training config " + configFile + ": cannot read: " + e.getMessage(), e);
    }
    doc.put("config", config);
    doc.put("shards_dir", recorded.toString());
    doc.put("shard_count", shards.size());
    doc.put("shard_bytes", bytes);
    doc.put("shards", listed);
    doc.put("spec", spec.toMap());
    doc.put("beamline_version", BuildInfo.version());

    Path jobFile = dir.resolve(JOB_FILE);
    String json;
    try {
      json = Json.pretty(doc);
      AtomicFiles.writeString(jobFile, json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the training job: " + e, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + jobFile + ": " + e.getMessage(), e);
    }

    LOG.info(
        "Training job {}: model {}, {} shards ({} bytes) in {}, batch size {}, {} epochs, learning"
            + " rate {}, seed {}; recorded in {}",
        jobName,
        spec.model(),
        shards.size(),
        bytes,
        recorded,
        spec.batchSize(),
        spec.epochs(),
        spec.learningRate(),
        spec.seed(),
        recorded.resolve(JOB_FILE));
    if (spec.cloud() == null) {
      LOG.info("No cloud target configured; training job not submitted. Spec: {}", compact(doc));
    } else {
      LOG.info(
          "Cloud target {} recorded in {}; Beamline does not submit training jobs: submit it with"
              + " your launcher. Spec: {}",
          spec.cloud().provider(),
          recorded.resolve(JOB_FILE),
          compact(doc));
    }
    return new TrainingJob(
        jobName,
        recorded.resolve(JOB_FILE),
        spec,
        shards.stream().map(s -> recorded.resolve(s.getFileName())).toList(),
        false);
  }

  /**
   * A valid job name made from a run id (or any text): lower-case letters, digits and hyphens, at
   * most 63 characters, e.g. {@code 20240101t120000z-constellation-1a2b}.
   */
  public static String jobNameFor(String runId) {
    String n =
        (runId == null ? "" : runId)
            .toLowerCase(java.util.Locale.ROOT)
            .replaceAll("[^a-z0-9-]+", "-")
            .replaceAll("^-+", "");
    if (n.length() > 63) {
      n = n.substring(0, 63);
    }
    n = n.replaceAll("-+$", "");
    return n.isEmpty() ? "beamline-training" : n;
  }

  /** Regular files in {@code dir} (not below it) whose names match {@code glob}, sorted. */
  static List<Path> resolveShards(Path dir, String glob) {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> matcher.matches(f.getFileName()))
          .filter(f -> !f.getFileName().toString().equals(JOB_FILE))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UserInputException(
          "cannot list shards directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String compact(Map<String, Object> doc) {
    try {
      return Json.MAPPER.writeValueAsString(doc.get("spec"));
    } catch (JsonProcessingException e) {
      return String.valueOf(doc.get("spec"));
    }
  }
}

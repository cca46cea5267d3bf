package io.beamline.pipelines.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.Fields;
import io.beamline.framework.StructuredFile;
import io.beamline.framework.UserInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training job specification, read from a YAML or JSON file: what to train on the exported
 * WebDataset shards and how.
 *
 * <pre>{@code
 * model: brainstate-cnn          # required: model / architecture name
 * shards: "shard-*.tar"          # glob of shard file names in the shards directory (default)
 * modalities: [eeg, ecg, audio]  # default: every modality in the shards
 * window_seconds: 1.0            # sample window; default: as exported
 * batch_size: 32                 # default 32
 * epochs: 10                     # default 10
 * learning_rate: 0.001           # default 0.001
 * seed: 42                       # default 0
 * hyperparameters: {dropout: 0.1}
 * cloud:                         # optional: where the job should run
 *   provider: sagemaker
 *   image_uri: 123.dkr.ecr.us-west-2.amazonaws.com/train:latest
 *   role: arn:aws:iam::123:role/SageMakerExecution
 *   instance_type: ml.p3.16xlarge
 *   instance_count: 2
 *   input_data: {train: "s3://bucket/gold/subj/sess/"}
 *   output_path: s3://bucket/models/
 * }</pre>
 *
 * <p>The seed's own SageMaker file is accepted too: top-level {@code image_uri}, {@code role},
 * {@code instance_type}, {@code instance_count}, {@code input_data} and {@code s3_output_path} form
 * a {@code sagemaker} cloud target, and {@code model} defaults to {@code image_uri} (the training
 * image carries the model there, so {@code model} is not required in that form).
 *
 * <p>{@link #load} rejects unknown fields, wrong types, out-of-range values and missing required
 * fields with one {@link UserInputException} line that names the file and every bad field.
 */
public final class TrainingSpec {
  /** Default glob of shard file names (what the WebDataset export writes). */
  public static final String DEFAULT_SHARDS = "shard-*.tar";

  private static final List<String> SEED_CLOUD_FIELDS =
      List.of(
          "image_uri", "role", "instance_type", "instance_count", "input_data", "s3_output_path");
  private static final List<String> FIELDS =
      List.of(
          "model",
          "shards",
          "modalities",
          "window_seconds",
          "batch_size",
          "epochs",
          "learning_rate",
          "seed",
          "hyperparameters",
          "cloud");
  private static final List<String> CLOUD_FIELDS =
      List.of(
          "provider",
          "image_uri",
          "role",
          "instance_type",
          "instance_count",
          "input_data",
          "output_path");
  private static final Set<String> PROVIDERS = Set.of("sagemaker");

  private final String model;
  private final String shards;
  private final List<String> modalities;
  private final Double windowSeconds;
  private final int batchSize;
  private final int epochs;
  private final double learningRate;
  private final long seed;
  private final Map<String, Object> hyperparameters;
  private final CloudTarget cloud;

  /**
   * Where a training job should run. Beamline records it; it does not submit jobs itself.
   *
   * @param provider {@code sagemaker}
   * @param fields the target's other fields as given (image_uri, role, instance_type,
   *     instance_count, input_data, output_path)
   */
  public record CloudTarget(String provider, Map<String, Object> fields) {
    public CloudTarget {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Provider and fields as one map, as recorded in {@code training_job.json}. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("provider", provider);
      m.putAll(fields);
      return m;
    }
  }

  private TrainingSpec(Builder b) {
    this.model = b.model;
    this.shards = b.shards;
    this.modalities = List.copyOf(b.modalities);
    this.windowSeconds = b.windowSeconds;
    this.batchSize = b.batchSize;
    this.epochs = b.epochs;
    this.learningRate = b.learningRate;
    this.seed = b.seed;
    this.hyperparameters = java.util.Collections.unmodifiableMap(b.hyperparameters);
    this.cloud = b.cloud;
  }

  /** The model or architecture; null only for a seed-form file that names no image. */
  public String model() {
    return model;
  }

  /** Glob of shard file names in the shards directory; default {@value #DEFAULT_SHARDS}. */
  public String shards() {
    return shards;
  }

  /** Modalities to train on; empty = every modality in the shards. */
  public List<String> modalities() {
    return modalities;
  }

  /** Window length in seconds, or null for the shards' own. */
  public Double windowSeconds() {
    return windowSeconds;
  }

  public int batchSize() {
    return batchSize;
  }

  public int epochs() {
    return epochs;
  }

  public double learningRate() {
    return learningRate;
  }

  public long seed() {
    return seed;
  }

  /** Extra hyperparameters passed through to the training code (string, number or boolean). */
  public Map<String, Object> hyperparameters() {
    return hyperparameters;
  }

  /** The cloud target, or null when none is configured. */
  public CloudTarget cloud() {
    return cloud;
  }

  /** The spec with every default filled in, as recorded in {@code training_job.json}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("shards", shards);
    m.put("modalities", modalities);
    m.put("window_seconds", windowSeconds);
    m.put("batch_size", batchSize);
    m.put("epochs", epochs);
    m.put("learning_rate", learningRate);
    m.put("seed", seed);
    m.put("hyperparameters", hyperparameters);
    m.put("cloud", cloud == null ? null : cloud.toMap());
    return m;
  }

  @Override
  public String toString() {
    return toMap().toString();
  }

  /**
   * Reads and validates {@code file} ({@code .yaml}, {@code .yml} or {@code .json}).
   *
   * @throws UserInputException one line naming the file and each bad field
   */
  public static TrainingSpec load(Path file) {
    return load(file, "--training-config");
  }

  /**
   * Like {@link #load(Path)}, naming {@code flag} (the flag the file was given with, e.g. the
   * seed's {@code --sagemaker-config}) when the file is missing.
   */
  public static TrainingSpec load(Path file, String flag) {
    JsonNode root =
        StructuredFile.readMapping(
            file,
            "training config",
            flag,
            "it needs at least 'model'; docs/training.md lists the fields");
    return parse(root, "training config " + file);
  }

  private static TrainingSpec parse(JsonNode root, String where) {
    Fields problems = new Fields();
    Builder b = new Builder();
    List<String> allowed = new ArrayList<>(FIELDS);
    allowed.addAll(SEED_CLOUD_FIELDS);
    problems.unknown(root, "", allowed);

    b.model = problems.string(root, "model");
    String shards = problems.string(root, "shards");
    if (shards != null) {
      if (shards.isBlank()
          || shards.contains("/")
          || shards.contains("\\")
          || shards.contains("..")) {
        problems.add(
            "field 'shards' must be a glob of file names in the shards directory (no '/' or"
                + " '..'), got '"
                + shards
                + "'");
      } else {
        b.shards = shards;
      }
    }
    JsonNode mods = root.get("modalities");
    if (mods != null && !mods.isNull()) {
      if (!mods.isArray()) {
        problems.add("field 'modalities' must be a list of names, got " + Fields.kind(mods));
      } else {
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < mods.size(); i++) {
          JsonNode m = mods.get(i);
          if (!m.isTextual() || !m.asText().matches("[a-z][a-z0-9_]*")) {
            problems.add(
                "field 'modalities["
                    + i
                    + "]' must be a lower-case name like eeg, got "
                    + Fields.kind(m));
          } else if (!seen.add(m.asText())) {
            problems.add("field 'modalities' lists '" + m.asText() + "' twice");
          }
        }
        b.modalities = new ArrayList<>(seen);
      }
    }
    b.windowSeconds = problems.positive(root, "window_seconds");
    Long batch = problems.integer(root, "batch_size", 1, 1_000_000);
    if (batch != null) {
      b.batchSize = batch.intValue();
    }
    Long epochs = problems.integer(root, "epochs", 1, 1_000_000);
    if (epochs != null) {
      b.epochs = epochs.intValue();
    }
    Double lr = problems.positive(root, "learning_rate");
    if (lr != null) {
      b.learningRate = lr;
    }
    Long seed = problems.integer(root, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
    if (seed != null) {
      b.seed = seed;
    }
    b.hyperparameters =
        problems.mapOf(
            root,
            "hyperparameters",
            "hyperparameters",
            v -> v.isTextual() || v.isNumber() || v.isBoolean(),
            "a string, number or boolean");

    boolean seedForm = SEED_CLOUD_FIELDS.stream().anyMatch(root::has);
    JsonNode cloud = root.get("cloud");
    if (cloud != null && !cloud.isNull() && seedForm) {
      problems.add(
          "give either 'cloud' or the seed's top-level "
              + String.join("/", SEED_CLOUD_FIELDS)
              + " fields, not both");
    } else if (cloud != null && !cloud.isNull()) {
      if (!cloud.isObject()) {
        problems.add(
            "field 'cloud' must be a mapping (provider, image_uri, ...), got "
                + Fields.kind(cloud));
      } else {
        problems.unknown(cloud, "cloud.", CLOUD_FIELDS);
        String provider = problems.string(cloud, "provider", "cloud.provider");
        if (provider == null && !cloud.has("provider")) {
          problems.add("missing required field 'cloud.provider' (one of " + PROVIDERS + ")");
        } else if (provider != null && !PROVIDERS.contains(provider)) {
          problems.add(
              "field 'cloud.provider' must be one of " + PROVIDERS + ", got '" + provider + "'");
        }
        Map<String, Object> fields = cloudFields(cloud, "cloud.", "output_path", problems);
        if (provider != null) {
          b.cloud = new CloudTarget(provider, fields);
        }
      }
    } else if (seedForm) {
      Map<String, Object> fields = cloudFields(root, "", "s3_output_path", problems);
      b.cloud = new CloudTarget("sagemaker", fields);
      if (b.model == null && fields.get("image_uri") != null) {
        b.model = (String) fields.get("image_uri");
      }
    }
    if (b.model == null && !root.has("model") && !seedForm) {
      problems.add("missing required field 'model' (the model or architecture to train)");
    } else if (b.model != null && b.model.isBlank()) {
      problems.add("field 'model' must not be empty");
    }
    problems.throwIfAny(where);
    return new TrainingSpec(b);
  }

  private static Map<String, Object> cloudFields(
      JsonNode node, String prefix, String outputField, Fields problems) {
    Map<String, Object> fields = new LinkedHashMap<>();
    putIfPresent(fields, "image_uri", problems.string(node, "image_uri", prefix + "image_uri"));
    putIfPresent(fields, "role", problems.string(node, "role", prefix + "role"));
    putIfPresent(
        fields, "instance_type", problems.string(node, "instance_type", prefix + "instance_type"));
    Long count = problems.integer(node, "instance_count", prefix + "instance_count", 1, 10_000);
    putIfPresent(fields, "instance_count", count == null ? null : count.intValue());
    Map<String, Object> inputs =
        problems.mapOf(node, "input_data", prefix + "input_data", JsonNode::isTextual, "a URI");
    if (!inputs.isEmpty()) {
      fields.put("input_data", inputs);
    }
    putIfPresent(fields, "output_path", problems.string(node, outputField, prefix + outputField));
    return fields;
  }

  private static void putIfPresent(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static final class Builder {
    String model;
    String shards = DEFAULT_SHARDS;
    List<String> modalities = List.of();
    Double windowSeconds;
    int batchSize = 32;
    int epochs = 10;
    double learningRate = 0.001;
    long seed = 0;
    Map<String, Object> hyperparameters = new LinkedHashMap<>();
    CloudTarget cloud;
  }
}

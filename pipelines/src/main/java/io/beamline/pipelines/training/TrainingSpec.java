package io.beamline.pipelines.training;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
    String where = "training config " + file;
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(where + " does not exist or is not a file; check " + flag);
    }
    String ext = extension(file);
    ObjectMapper mapper;
    if (ext.equals("yaml") || ext.equals("yml")) {
      mapper = new ObjectMapper(new YAMLFactory());
    } else if (ext.equals("json")) {
      mapper = new ObjectMapper();
    } else {
      throw new UserInputException(
          where + ": unsupported file type '." + ext + "'; use .yaml, .yml or .json");
    }
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = mapper.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      String at =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new UserInputException(
          where
              + ": not valid "
              + (ext.equals("json") ? "JSON" : "YAML")
              + at
              + ": "
              + oneLine(e.getOriginalMessage())
              + "; fix the file (docs/training.md lists the fields)",
          e);
    } catch (IOException e) {
      throw new UserInputException(
          where
              + ": cannot read: "
              + oneLine(String.valueOf(e.getMessage()))
              + "; give a readable YAML or JSON training spec",
          e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new UserInputException(where + " is empty; it needs at least 'model'");
    }
    if (!root.isObject()) {
      throw new UserInputException(
          where + ": must be a mapping of fields (model, batch_size, ...), got " + kind(root));
    }
    return parse(root, where);
  }

  private static TrainingSpec parse(JsonNode root, String where) {
    Problems problems = new Problems();
    Builder b = new Builder();
    List<String> allowed = new ArrayList<>(FIELDS);
    allowed.addAll(SEED_CLOUD_FIELDS);
    unknown(root, "", allowed, problems);

    b.model = string(root, "model", problems);
    String shards = string(root, "shards", problems);
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
        problems.add("field 'modalities' must be a list of names, got " + kind(mods));
      } else {
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < mods.size(); i++) {
          JsonNode m = mods.get(i);
          if (!m.isTextual() || !m.asText().matches("[a-z][a-z0-9_]*")) {
            problems.add(
                "field 'modalities[" + i + "]' must be a lower-case name like eeg, got " + kind(m));
          } else if (!seen.add(m.asText())) {
            problems.add("field 'modalities' lists '" + m.asText() + "' twice");
          }
        }
        b.modalities = new ArrayList<>(seen);
      }
    }
    b.windowSeconds = positive(root, "window_seconds", problems);
    Long batch = integer(root, "batch_size", 1, 1_000_000, problems);
    if (batch != null) {
      b.batchSize = batch.intValue();
    }
    Long epochs = integer(root, "epochs", 1, 1_000_000, problems);
    if (epochs != null) {
      b.epochs = epochs.intValue();
    }
    Double lr = positive(root, "learning_rate", problems);
    if (lr != null) {
      b.learningRate = lr;
    }
    Long seed = integer(root, "seed", Long.MIN_VALUE, Long.MAX_VALUE, problems);
    if (seed != null) {
      b.seed = seed;
    }
    b.hyperparameters = scalars(root, "hyperparameters", problems);

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
            "field 'cloud' must be a mapping (provider, image_uri, ...), got " + kind(cloud));
      } else {
        unknown(cloud, "cloud.", CLOUD_FIELDS, problems);
        String provider = string(cloud, "provider", "cloud.provider", problems);
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
    if (!problems.list.isEmpty()) {
      throw new UserInputException(where + ": " + String.join("; ", problems.list));
    }
    return new TrainingSpec(b);
  }

  private static Map<String, Object> cloudFields(
      JsonNode node, String prefix, String outputField, Problems problems) {
    Map<String, Object> fields = new LinkedHashMap<>();
    putIfPresent(fields, "image_uri", string(node, "image_uri", prefix + "image_uri", problems));
    putIfPresent(fields, "role", string(node, "role", prefix + "role", problems));
    putIfPresent(
        fields, "instance_type", string(node, "instance_type", prefix + "instance_type", problems));
    Long count = integer(node, "instance_count", prefix + "instance_count", 1, 10_000, problems);
    putIfPresent(fields, "instance_count", count == null ? null : count.intValue());
    Map<String, Object> inputs =
        mapOf(node, "input_data", prefix + "input_data", JsonNode::isTextual, "a URI", problems);
    if (!inputs.isEmpty()) {
      fields.put("input_data", inputs);
    }
    putIfPresent(fields, "output_path", string(node, outputField, prefix + outputField, problems));
    return fields;
  }

  private static void putIfPresent(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static void unknown(JsonNode node, String prefix, List<String> allowed, Problems p) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        String near = nearest(f, allowed);
        p.add(
            "unknown field '"
                + prefix
                + f
                + "'"
                + (near == null
                    ? " (known: " + String.join(", ", allowed) + ")"
                    : " (did you mean '" + prefix + near + "'?)"));
      }
    }
  }

  private static String string(JsonNode node, String field, Problems p) {
    return string(node, field, field, p);
  }

  private static String string(JsonNode node, String field, String label, Problems p) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      p.add("field '" + label + "' must be a string, got " + kind(v));
      return null;
    }
    return v.asText();
  }

  private static Long integer(JsonNode node, String field, long min, long max, Problems p) {
    return integer(node, field, field, min, max, p);
  }

  private static Long integer(
      JsonNode node, String field, String label, long min, long max, Problems p) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      p.add("field '" + label + "' must be an integer, got " + kind(v));
      return null;
    }
    long x = v.asLong();
    if (x < min || x > max) {
      p.add(
          "field '"
              + label
              + "' must be "
              + (max == Long.MAX_VALUE ? ">= " + min : "in " + min + ".." + max)
              + ", got "
              + x);
      return null;
    }
    return x;
  }

  private static Double positive(JsonNode node, String field, Problems p) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      p.add("field '" + field + "' must be a number, got " + kind(v));
      return null;
    }
    double x = v.asDouble();
    if (!(x > 0) || Double.isInfinite(x)) {
      p.add("field '" + field + "' must be a finite number > 0, got " + v.asText());
      return null;
    }
    return x;
  }

  private static Map<String, Object> scalars(JsonNode node, String field, Problems p) {
    Map<String, Object> raw =
        mapOf(
            node,
            field,
            field,
            v -> v.isTextual() || v.isNumber() || v.isBoolean(),
            "a string, number or boolean",
            p);
    return raw;
  }

  private static Map<String, Object> mapOf(
      JsonNode node,
      String field,
      String label,
      java.util.function.Predicate<JsonNode> valueOk,
      String valueKind,
      Problems p) {
    Map<String, Object> out = new LinkedHashMap<>();
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      p.add("field '" + label + "' must be a mapping, got " + kind(v));
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode x = e.getValue();
      if (!valueOk.test(x)) {
        p.add("field '" + label + "." + e.getKey() + "' must be " + valueKind + ", got " + kind(x));
      } else {
        out.put(e.getKey(), scalar(x));
      }
    }
    return out;
  }

  private static Object scalar(JsonNode x) {
    if (x.isTextual()) {
      return x.asText();
    } else if (x.isBoolean()) {
      return x.asBoolean();
    } else if (x.isIntegralNumber() && x.canConvertToLong()) {
      return x.asLong();
    }
    return x.asDouble();
  }

  /** What a value is, for messages: {@code the string "32"}, {@code a list}, {@code 1.5}. */
  private static String kind(JsonNode v) {
    if (v.isTextual()) {
      String t = v.asText();
      return "the string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
    } else if (v.isArray()) {
      return "a list";
    } else if (v.isObject()) {
      return "a mapping";
    } else if (v.isBoolean()) {
      return "the boolean " + v.asText();
    } else if (v.isNull()) {
      return "null";
    }
    return v.asText();
  }

  private static String nearest(String f, List<String> allowed) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    String lf = f.toLowerCase(Locale.ROOT).replace('-', '_');
    for (String a : allowed) {
      int d = distance(lf, a);
      if (d < bestD) {
        bestD = d;
        best = a;
      }
    }
    return bestD <= Math.max(2, f.length() / 4) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String extension(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static final class Problems {
    final List<String> list = new ArrayList<>();

    void add(String problem) {
      list.add(problem);
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

package io.beamline.framework.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.OptionProperties;
import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The effective configuration of a run in the shape of a config file ({@code --config}): every flag
 * of the command with the value the run used, defaults included, grouped as {@code pipeline},
 * {@code data} (workspace, inputs, scratch), {@code modules} (per {@link
 * BeamlinePipeline#moduleParameters}) and {@code options} (the rest). A run records it as {@code
 * runs/<id>/config.yaml}; {@code beamline <command> --config runs/<id>/config.yaml} runs the same
 * configuration again. The run id is left out: it names a run, not its configuration.
 */
public final class EffectiveConfig {
  /** Top-level keys, in the order they are written. */
  public static final List<String> SECTIONS = List.of("pipeline", "data", "modules", "options");

  /** Keys of the {@code data} section. */
  public static final List<String> DATA_KEYS = List.of("workspace", "inputs", "scratch");

  /** The flag that {@code data: workspace} sets. */
  public static final String WORKSPACE_FLAG = "output-dir";

  /** Flags never recorded: they name the run rather than configure it. */
  private static final List<String> NOT_RECORDED = List.of("run-id");

  /**
   * Runner flags that every pipeline command has beside its options interface, with the runner they
   * apply to; recorded only for that runner.
   */
  private static final Map<String, String> RUNNER_FLAGS =
      Map.of("spark-master", "SparkRunner", "target-parallelism", "DirectRunner");

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  private EffectiveConfig() {}

  /** The effective configuration of {@code def} run with {@code options}. */
  public static <O extends BeamlineOptions> Map<String, Object> of(
      BeamlinePipeline<O> def, O options) {
    Map<String, Object> values = flagValues(options, def.optionsClass());
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("pipeline", String.join(" ", def.commandPath()));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("workspace", values.remove(WORKSPACE_FLAG));
    Map<String, Object> inputs = new LinkedHashMap<>();
    for (String flag : def.inputParameters()) {
      inputs.put(flag, take(values, flag, def));
    }
    data.put("inputs", inputs);
    data.put("scratch", options.getTempLocation());
    config.put("data", data);
    Map<String, Object> modules = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> m : def.moduleParameters().entrySet()) {
      Map<String, Object> params = new LinkedHashMap<>();
      for (String flag : m.getValue()) {
        params.put(flag, take(values, flag, def));
      }
      modules.put(m.getKey(), params);
    }
    config.put("modules", modules);
    NOT_RECORDED.forEach(values::remove);
    String runner = options.getRunner() == null ? null : options.getRunner().getSimpleName();
    values.put("runner", runner);
    Map<String, Object> all = EffectiveOptions.of(options, def.optionsClass());
    RUNNER_FLAGS.forEach(
        (flag, forRunner) -> {
          if (forRunner.equals(runner)) {
            values.put(flag, all.get(camel(flag)));
          }
        });
    OptionProperties.ofRunner(runner)
        .forEach(
            (prop, getter) -> {
              Object value = runnerValue(options, getter);
              if (!OptionProperties.madePerRun(prop, value)) {
                values.put(OptionProperties.kebab(prop), value);
              }
            });
    config.put("options", values);
    return config;
  }

  /** The value of a runner's own option ({@link OptionProperties#ofRunner}) in {@code options}. */
  @SuppressWarnings("unchecked")
  private static Object runnerValue(PipelineOptions options, java.lang.reflect.Method getter) {
    try {
      return getter.invoke(
          options.as((Class<? extends PipelineOptions>) getter.getDeclaringClass()));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** {@code config} as YAML (the format of {@code config.yaml}). */
  public static String toYaml(Map<String, Object> config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the effective config as YAML: " + e, e);
    }
  }

  /**
   * Reads a config file: JSON when its name ends in {@code .json}, else YAML.
   *
   * @throws UserInputException when it cannot be read, does not parse, or is not a mapping
   */
  public static JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(
          "config file " + file + " not found; give a YAML or JSON file to --config");
    }
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    JsonNode root;
    try {
      root = (json ? Json.MAPPER : YAML).readTree(file.toFile());
    } catch (IOException e) {
      throw new UserInputException(
          file + ": not valid " + (json ? "JSON" : "YAML") + ": " + Runs.oneLine(e), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return Json.MAPPER.createObjectNode();
    }
    if (!root.isObject()) {
      throw new UserInputException(
          file + ": a config file is a mapping with keys " + String.join(", ", SECTIONS));
    }
    return root;
  }

  /** Each flag of {@code iface} (kebab-case) with its value in {@code options}, sorted by flag. */
  private static Map<String, Object> flagValues(
      PipelineOptions options, Class<? extends PipelineOptions> iface) {
    PipelineOptions view = options.as(iface);
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<String, Method> e : OptionProperties.of(iface).entrySet()) {
      Object v;
      try {
        v = e.getValue().invoke(view);
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException("cannot read option " + e.getKey() + ": " + ex, ex);
      }
      out.put(OptionProperties.kebab(e.getKey()), plain(v));
    }
    return out;
  }

  private static Object take(Map<String, Object> values, String flag, BeamlinePipeline<?> def) {
    if (!values.containsKey(flag)) {
      throw new IllegalStateException(
          def.name() + ": module or input parameter --" + flag + " is not a flag of the pipeline");
    }
    return values.remove(flag);
  }

  private static Object plain(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
      return v;
    }
    if (v instanceof Class<?> c) {
      return c.getSimpleName();
    }
    if (v instanceof Iterable<?> it) {
      List<Object> l = new ArrayList<>();
      it.forEach(o -> l.add(plain(o)));
      return l;
    }
    return v.toString();
  }

  private static String camel(String kebab) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }
}

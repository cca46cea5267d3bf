package io.beamline.runners;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.FlagAlias;
import io.beamline.framework.OptionProperties;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Derives command-line flags from a Beam options interface, so the interface is the single source
 * of truth: each property {@code fooBar} becomes {@code --foo-bar}; Beam's spelling {@code
 * --fooBar} and the seeds' Python spelling {@code --foo_bar} are accepted too (see {@link
 * #normalize}). Values accept both {@code --name value} and {@code --name=value}. The runner flags
 * {@code --runner}, {@code --sparkMaster}, {@code --targetParallelism}, {@code
 * --enforceImmutability} and {@code --enforceEncodability} are added to every pipeline. An options
 * interface may give a flag another name with {@link FlagAlias} (the seeds' spellings); picocli
 * then accepts either name.
 */
final class OptionFlags {

  /** One flag and the Beam property it sets. */
  record Flag(String property, OptionSpec spec) {}

  private OptionFlags() {}

  /**
   * Adds the flags of {@code optionsClass} and the runner flags to {@code spec}; the flag of
   * property {@code positional} (may be null) is never marked required.
   */
  static List<Flag> addTo(
      CommandSpec spec, Class<? extends BeamlineOptions> optionsClass, String positional) {
    List<Flag> flags = addOwn(spec, optionsClass, positional);
    flags.add(
        runnerFlag(
            spec,
            "runner",
            String.class,
            "Beam runner: DirectRunner (default, in-process), SparkRunner or FlinkRunner (an"
                + " embedded Flink cluster by default, --flinkMaster=[local])"));
    flags.add(
        runnerFlag(
            spec,
            "sparkMaster",
            String.class,
            "Spark master for the SparkRunner, e.g. local[2] or spark://host:7077 (default local[4];"
                + " spark-submit --master overrides it)"));
    flags.add(
        runnerFlag(
            spec,
            "targetParallelism",
            Integer.class,
            "DirectRunner threads (default: one per core, plus one for the runner's monitor)"));
    flags.add(
        switchFlag(
            spec,
            "enforceImmutability",
            "DirectRunner: check that no step mutates its input or output elements (default:"
                + " off; on when BEAMLINE_DIRECT_CHECKS=true, as in the test suites)"));
    flags.add(
        switchFlag(
            spec,
            "enforceEncodability",
            "DirectRunner: check that every element survives its coder (default: off; on when"
                + " BEAMLINE_DIRECT_CHECKS=true, as in the test suites)"));
    flags.addAll(runnerOptionFlags(spec));
    return flags;
  }

  /**
   * Every option of Beam's SparkRunner ({@link OptionProperties#sparkRunner}) and FlinkRunner
   * ({@link OptionProperties#flinkRunner}) as a flag, in Beam's spelling and kebab-case ({@code
   * --storageLevel}, {@code --storage-level}), with Beam's description: the command line refuses no
   * option of either runner.
   */
  private static List<Flag> runnerOptionFlags(CommandSpec spec) {
    List<Flag> flags = new ArrayList<>();
    addRunnerOptions(spec, "SparkRunner", OptionProperties.sparkRunner(), flags);
    addRunnerOptions(spec, "FlinkRunner", OptionProperties.flinkRunner(), flags);
    return flags;
  }

  private static void addRunnerOptions(
      CommandSpec spec, String runner, Map<String, Method> options, List<Flag> flags) {
    for (Map.Entry<String, Method> e : options.entrySet()) {
      if (spec.findOption(e.getKey()) != null) {
        continue; // a property both runners name (none in Beam 2.62): one flag sets it for both
      }
      Class<?> type = boxed(e.getValue().getReturnType());
      OptionSpec.Builder b = OptionSpec.builder(names(e.getKey())).type(type);
      if (type == Boolean.class) {
        b.arity("0..1").fallbackValue("true");
      } else {
        b.arity("1")
            .paramLabel("<" + kebab(e.getKey()).toUpperCase(Locale.ROOT).replace('-', '_') + ">");
      }
      b.description(runner + ": " + description(e.getValue())[0]);
      OptionSpec o = b.build();
      spec.addOption(o);
      flags.add(new Flag(e.getKey(), o));
    }
  }

  /**
   * Adds the flags of {@code optionsClass} alone (no runner flags): a tool's options, or the
   * pipeline-specific part of a pipeline's. The flag of property {@code positional} (may be null)
   * is never marked required, since the command's positional argument can stand in for it.
   */
  static List<Flag> addOwn(
      CommandSpec spec, Class<? extends PipelineOptions> optionsClass, String positional) {
    List<Flag> flags = new ArrayList<>();
    Map<String, List<String>> aliases = aliases(optionsClass);
    List<Map.Entry<String, Method>> props = new ArrayList<>(properties(optionsClass).entrySet());
    // The pipeline's own flags first, alphabetically; then the shared ones; then the runner's.
    props.sort(
        java.util.Comparator.comparing(
                (Map.Entry<String, Method> e) ->
                    e.getValue().getDeclaringClass() == BeamlineOptions.class)
            .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, Method> e : props) {
      Method getter = e.getValue();
      Class<?> type = boxed(getter.getReturnType());
      List<String> names = new ArrayList<>(List.of(names(e.getKey())));
      names.addAll(aliases.getOrDefault(e.getKey(), List.of()));
      OptionSpec.Builder b = OptionSpec.builder(names.toArray(new String[0]));
      b.type(type == Boolean.class ? Boolean.class : type);
      if (type == Boolean.class) {
        b.arity("0..1").fallbackValue("true");
      } else {
        b.arity("1")
            .paramLabel("<" + kebab(e.getKey()).toUpperCase(Locale.ROOT).replace('-', '_') + ">");
      }
      b.description(description(getter));
      if (getter.isAnnotationPresent(Validation.Required.class) && !e.getKey().equals(positional)) {
        b.required(true);
      }
      OptionSpec o = b.build();
      spec.addOption(o);
      flags.add(new Flag(e.getKey(), o));
    }
    return flags;
  }

  private static Flag runnerFlag(CommandSpec spec, String property, Class<?> type, String desc) {
    OptionSpec o =
        OptionSpec.builder(names(property))
            .type(type)
            .arity("1")
            .paramLabel("<" + kebab(property).toUpperCase(Locale.ROOT).replace('-', '_') + ">")
            .description(desc)
            .build();
    spec.addOption(o);
    return new Flag(property, o);
  }

  /** A runner flag that is true when given alone, or takes {@code =true|false}. */
  private static Flag switchFlag(CommandSpec spec, String property, String desc) {
    OptionSpec o =
        OptionSpec.builder(names(property))
            .type(Boolean.class)
            .arity("0..1")
            .fallbackValue("true")
            .description(desc)
            .build();
    spec.addOption(o);
    return new Flag(property, o);
  }

  /** Turns the matched flags into Beam arguments {@code --property=value}. */
  static List<String> toBeamArgs(ParseResult parsed, List<Flag> flags) {
    List<String> args = new ArrayList<>();
    for (Flag f : flags) {
      if (parsed.hasMatchedOption(f.spec())) {
        Object v = f.spec().getValue();
        args.add("--" + f.property() + "=" + v);
      }
    }
    return args;
  }

  /** Getter properties declared by Beamline options interfaces, in declaration order. */
  static Map<String, Method> properties(Class<? extends PipelineOptions> optionsClass) {
    return OptionProperties.of(optionsClass);
  }

  /**
   * The {@link FlagAlias} names of {@code optionsClass} and the interfaces it extends, by property.
   *
   * @throws IllegalStateException when an alias names no property or is not a {@code --kebab} name
   */
  static Map<String, List<String>> aliases(Class<? extends PipelineOptions> optionsClass) {
    Map<String, Method> props = properties(optionsClass);
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Class<?> i : OptionProperties.interfaces(optionsClass)) {
      for (FlagAlias a : i.getAnnotationsByType(FlagAlias.class)) {
        if (!props.containsKey(a.property())) {
          throw new IllegalStateException(
              i.getName() + ": @FlagAlias " + a.flag() + " names no property " + a.property());
        }
        if (!a.flag().matches("--[a-z0-9]+(-[a-z0-9]+)*")) {
          throw new IllegalStateException(
              i.getName() + ": @FlagAlias " + a.flag() + " is not a --kebab-case flag name");
        }
        out.computeIfAbsent(a.property(), k -> new ArrayList<>()).add(a.flag());
      }
    }
    return out;
  }

  static String[] names(String property) {
    return new String[] {"--" + kebab(property)};
  }

  /**
   * Rewrites Beam's {@code --camelCase} and the seeds' {@code --snake_case} flag spellings to the
   * canonical {@code --kebab-case} before parsing, keeping any {@code =value}.
   */
  static String[] normalize(String[] args) {
    String[] out = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--") && a.length() > 2 && !a.equals("--")) {
        int eq = a.indexOf('=');
        String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
        String rest = eq < 0 ? "" : a.substring(eq);
        if (name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
          a = "--" + kebab(name).replace('_', '-') + rest;
        }
      }
      out[i] = a;
    }
    return out;
  }

  static String kebab(String camel) {
    return OptionProperties.kebab(camel);
  }

  private static String[] description(Method getter) {
    Description d = getter.getAnnotation(Description.class);
    String text = d == null ? "" : d.value();
    String def = defaultText(getter);
    if (def != null) {
      text = text + (text.isEmpty() ? "" : " ") + "(default: " + def + ")";
    }
    return new String[] {literal(text)};
  }

  /**
   * {@code text} as picocli prints it unchanged: picocli treats help text as a format string, so a
   * lone {@code %} (as in "~5% of packets") would make it warn on stderr and print the raw text.
   */
  static String literal(String text) {
    return text.replace("%", "%%");
  }

  private static String defaultText(Method m) {
    if (m.isAnnotationPresent(Default.String.class)) {
      return m.getAnnotation(Default.String.class).value();
    } else if (m.isAnnotationPresent(Default.Integer.class)) {
      return String.valueOf(m.getAnnotation(Default.Integer.class).value());
    } else if (m.isAnnotationPresent(Default.Long.class)) {
      return String.valueOf(m.getAnnotation(Default.Long.class).value());
    } else if (m.isAnnotationPresent(Default.Double.class)) {
      return String.valueOf(m.getAnnotation(Default.Double.class).value());
    } else if (m.isAnnotationPresent(Default.Float.class)) {
      return String.valueOf(m.getAnnotation(Default.Float.class).value());
    } else if (m.isAnnotationPresent(Default.Boolean.class)) {
      return String.valueOf(m.getAnnotation(Default.Boolean.class).value());
    } else if (m.isAnnotationPresent(Default.Enum.class)) {
      return m.getAnnotation(Default.Enum.class).value();
    }
    return null;
  }

  private static Class<?> boxed(Class<?> t) {
    if (!t.isPrimitive()) {
      return t;
    }
    if (t == int.class) {
      return Integer.class;
    } else if (t == long.class) {
      return Long.class;
    } else if (t == double.class) {
      return Double.class;
    } else if (t == float.class) {
      return Float.class;
    } else if (t == boolean.class) {
      return Boolean.class;
    } else if (t == short.class) {
      return Short.class;
    }
    return t;
  }
}

package io.beamline.framework;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The properties of a Beamline options interface and their flag names: the one place that decides
 * which getters are a command's flags, for the command line and for config files alike.
 */
public final class OptionProperties {
  private OptionProperties() {}

  /**
   * Getter properties declared by Beamline options interfaces (the command's own interface and
   * those it extends, down to {@link BeamlineOptions}), most specific interface first, each in
   * declaration order.
   */
  public static Map<String, Method> of(Class<? extends PipelineOptions> optionsClass) {
    Map<String, Method> out = new LinkedHashMap<>();
    List<Class<?>> ifaces = new ArrayList<>();
    collect(optionsClass, ifaces);
    for (Class<?> i : ifaces) {
      for (Method m : i.getDeclaredMethods()) {
        if (m.getParameterCount() != 0 || m.isDefault() || m.isSynthetic()) {
          continue;
        }
        String prop = property(m);
        if (prop != null) {
          out.putIfAbsent(prop, m);
        }
      }
    }
    return out;
  }

  /**
   * The SparkRunner's own options (Beam's {@code SparkPipelineOptions} and the interfaces of its
   * package: {@code storageLevel}, {@code batchIntervalMillis}, {@code bundleSize}, ...), by
   * property, sorted, as the options registered with Beam declare them; empty when the SparkRunner
   * is not on the class path. {@code sparkMaster} (a flag of every command) and {@code
   * usesProvidedSparkContext} (only for programs that pass their own context) are left out; so are
   * properties of types a command line cannot give.
   */
  public static Map<String, Method> sparkRunner() {
    return SPARK_RUNNER;
  }

  /**
   * The FlinkRunner's own options (Beam's {@code FlinkPipelineOptions} and the interfaces of its
   * package: {@code flinkMaster}, {@code parallelism}, {@code maxBundleSize}, {@code objectReuse},
   * ...), by property, sorted, as {@link #sparkRunner} for the SparkRunner; empty when the
   * FlinkRunner is not on the class path.
   */
  public static Map<String, Method> flinkRunner() {
    return FLINK_RUNNER;
  }

  /**
   * The prefix of the directory the command line makes for each embedded Flink cluster under {@code
   * java.io.tmpdir} (its configuration and temporary files, gone at exit).
   */
  public static final String EMBEDDED_FLINK_DIR_PREFIX = "beamline-flink-";

  /**
   * Whether runner option {@code property} holds {@code value} that the command line made for this
   * run alone (the embedded Flink cluster's configuration directory): recorded, it would name a
   * directory that is gone when the run is repeated from its {@code config.yaml}; left out, the
   * repeat makes its own.
   */
  public static boolean madePerRun(String property, Object value) {
    return property.equals("flinkConfDir")
        && value instanceof String dir
        && java.nio.file.Path.of(dir).getFileName() != null
        && java.nio.file.Path.of(dir)
            .getFileName()
            .toString()
            .startsWith(EMBEDDED_FLINK_DIR_PREFIX);
  }

  /**
   * The options of the runner whose class is named {@code runnerSimpleName} ({@link #sparkRunner},
   * {@link #flinkRunner}), empty for any other runner.
   */
  public static Map<String, Method> ofRunner(String runnerSimpleName) {
    if (RunnerNames.SPARK.equals(runnerSimpleName)) {
      return SPARK_RUNNER;
    }
    if (RunnerNames.FLINK.equals(runnerSimpleName)) {
      return FLINK_RUNNER;
    }
    return Map.of();
  }

  private static Map<String, Method> findRunnerOptions(String pkg, java.util.Set<String> leftOut) {
    Map<String, Method> out = new java.util.TreeMap<>();
    for (Class<? extends PipelineOptions> i : PipelineOptionsFactory.getRegisteredOptions()) {
      if (!i.getPackageName().equals(pkg)) {
        continue;
      }
      for (Method m : i.getMethods()) {
        if (!m.getDeclaringClass().getPackageName().equals(pkg)
            || m.getParameterCount() != 0
            || m.isDefault()
            || !SIMPLE.contains(m.getReturnType())) {
          continue;
        }
        String prop = property(m);
        if (prop != null && !leftOut.contains(prop)) {
          out.putIfAbsent(prop, m);
        }
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static final java.util.Set<Class<?>> SIMPLE =
      java.util.Set.of(
          String.class,
          Long.class,
          long.class,
          Integer.class,
          int.class,
          Double.class,
          double.class,
          Boolean.class,
          boolean.class);

  /** Found once per JVM: every command's flags and every recorded config use it. */
  private static final Map<String, Method> SPARK_RUNNER =
      findRunnerOptions(
          "org.apache.beam.runners.spark",
          java.util.Set.of("sparkMaster", "usesProvidedSparkContext"));

  /** Found once per JVM, as {@link #SPARK_RUNNER}. */
  private static final Map<String, Method> FLINK_RUNNER =
      findRunnerOptions("org.apache.beam.runners.flink", java.util.Set.of());

  /**
   * The property of getter {@code m} ({@code getFooBar}, {@code isFooBar}: {@code fooBar}), or
   * null.
   */
  private static String property(Method m) {
    String n = m.getName();
    String prop = null;
    if (n.startsWith("get") && n.length() > 3) {
      prop = n.substring(3);
    } else if (n.startsWith("is") && n.length() > 2) {
      prop = n.substring(2);
    }
    return prop == null ? null : Character.toLowerCase(prop.charAt(0)) + prop.substring(1);
  }

  /**
   * The interfaces of {@code c} that declare Beamline flags, most specific first, stopping at
   * BeamlineOptions (included) or BeamlineToolOptions (excluded: it declares nothing).
   */
  public static List<Class<?>> interfaces(Class<?> c) {
    List<Class<?>> out = new ArrayList<>();
    collect(c, out);
    return out;
  }

  private static void collect(Class<?> c, List<Class<?>> out) {
    boolean ours =
        BeamlineOptions.class.isAssignableFrom(c) || BeamlineToolOptions.class.isAssignableFrom(c);
    if (!ours || c == BeamlineToolOptions.class || out.contains(c)) {
      return;
    }
    out.add(c);
    for (Class<?> p : c.getInterfaces()) {
      collect(p, out);
    }
  }

  /** The flag name (without dashes) of a property: {@code startRegion} is {@code start-region}. */
  public static String kebab(String camel) {
    StringBuilder b = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('-').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}

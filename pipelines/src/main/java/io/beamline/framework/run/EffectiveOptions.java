package io.beamline.framework.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * Every effective option of a run, defaults included: the getters of the pipeline's options
 * interface, of {@link PipelineOptions}, and of the runner's own options interface.
 */
public final class EffectiveOptions {
  private static final Map<String, String> RUNNER_OPTIONS =
      Map.of(
          "DirectRunner", "org.apache.beam.runners.direct.DirectOptions",
          "SparkRunner", "org.apache.beam.runners.spark.SparkPipelineOptions");

  private EffectiveOptions() {}

  /** Option name (Beam's camelCase) to value, sorted by name. */
  public static Map<String, Object> of(
      PipelineOptions options, Class<? extends PipelineOptions> iface) {
    Set<Class<? extends PipelineOptions>> ifaces = new LinkedHashSet<>();
    ifaces.add(iface);
    ifaces.add(StreamingOptions.class);
    String runner = options.getRunner() == null ? "" : options.getRunner().getSimpleName();
    String runnerIface = RUNNER_OPTIONS.get(runner);
    if (runnerIface != null) {
      try {
        ifaces.add(Class.forName(runnerIface).asSubclass(PipelineOptions.class));
      } catch (ClassNotFoundException e) {
        // The runner's options are only recorded when the runner is on the class path.
      }
    }
    Map<String, Object> out = new TreeMap<>();
    for (Class<? extends PipelineOptions> i : ifaces) {
      PipelineOptions view = options.as(i);
      for (Method m : i.getMethods()) {
        String name = property(m);
        if (name == null || out.containsKey(name) || m.isAnnotationPresent(JsonIgnore.class)) {
          continue;
        }
        try {
          out.put(name, simple(m.invoke(view)));
        } catch (ReflectiveOperationException | RuntimeException e) {
          out.put(name, "<unavailable: " + e.getClass().getSimpleName() + ">");
        }
      }
    }
    return out;
  }

  private static String property(Method m) {
    if (m.getParameterCount() != 0
        || Modifier.isStatic(m.getModifiers())
        || m.getDeclaringClass() == Object.class) {
      return null;
    }
    String n = m.getName();
    String base;
    if (n.startsWith("get") && n.length() > 3) {
      base = n.substring(3);
    } else if (n.startsWith("is")
        && n.length() > 2
        && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) {
      base = n.substring(2);
    } else {
      return null;
    }
    if (List.of("Class", "OptionsId").contains(base)) {
      return null;
    }
    return Character.toLowerCase(base.charAt(0)) + base.substring(1);
  }

  private static Object simple(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
      return v;
    }
    if (v instanceof Class) {
      return ((Class<?>) v).getSimpleName();
    }
    if (v instanceof Iterable) {
      List<Object> l = new java.util.ArrayList<>();
      for (Object o : (Iterable<?>) v) {
        l.add(simple(o));
      }
      return l;
    }
    return v.toString();
  }
}

package io.beamline.framework.backend;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.run.EffectiveOptions;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The flags that give a pipeline's options again on the command line: every option of the
 * pipeline's own options interfaces whose value differs from its default, then {@code --outputDir}
 * and {@code --runId}, which a compiled pipeline always pins. Beam's own options (the runner among
 * them) are left to the backend.
 */
final class PipelineFlags {
  private PipelineFlags() {}

  static <O extends BeamlineOptions> List<String> of(BeamlinePipeline<O> def, O options) {
    Map<String, Object> now = EffectiveOptions.of(options, def.optionsClass());
    Map<String, Object> defaults =
        EffectiveOptions.of(PipelineOptionsFactory.as(def.optionsClass()), def.optionsClass());
    Set<String> own = ownProperties(def.optionsClass());
    List<String> flags = new ArrayList<>();
    for (Map.Entry<String, Object> e : now.entrySet()) {
      String name = e.getKey();
      if (!own.contains(name)
          || name.equals("outputDir")
          || name.equals("runId")
          || e.getValue() == null
          || Objects.equals(e.getValue(), defaults.get(name))) {
        continue;
      }
      flags.add("--" + name + "=" + text(e.getValue()));
    }
    flags.add("--outputDir=" + options.getOutputDir());
    flags.add("--runId=" + options.getRunId());
    return flags;
  }

  /** Properties declared by Beamline's interfaces (not Beam's) in {@code iface}'s hierarchy. */
  private static Set<String> ownProperties(Class<?> iface) {
    Set<String> names = new HashSet<>();
    for (Method m : iface.getMethods()) {
      String n = m.getName();
      if (m.getParameterCount() != 0 || m.getDeclaringClass().getName().startsWith("org.apache.")) {
        continue;
      }
      String base = n.startsWith("get") ? n.substring(3) : n.startsWith("is") ? n.substring(2) : "";
      if (!base.isEmpty()) {
        names.add(Character.toLowerCase(base.charAt(0)) + base.substring(1));
      }
    }
    return names;
  }

  private static String text(Object v) {
    if (v instanceof List<?> l) {
      return String.join(",", l.stream().map(String::valueOf).toList());
    }
    return String.valueOf(v);
  }
}

package io.beamline.framework;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the stage-ordered map of {@link BeamlinePipeline#moduleParameters}:
 *
 * <pre>{@code
 * return ModuleParameters.of("simulate", "segment-ms", "seed")
 *     .module("extract-spikes", "target-snr")
 *     .asMap();
 * }</pre>
 */
public final class ModuleParameters {
  private final Map<String, List<String>> modules = new LinkedHashMap<>();

  private ModuleParameters() {}

  /** Starts with the first stage's module {@code name} and its flags (kebab-case). */
  public static ModuleParameters of(String name, String... flags) {
    return new ModuleParameters().then(name, flags);
  }

  /** Adds the next stage's module {@code name} and its flags (kebab-case). */
  public ModuleParameters module(String name, String... flags) {
    return then(name, flags);
  }

  private ModuleParameters then(String name, String... flags) {
    if (modules.put(name, List.of(flags)) != null) {
      throw new IllegalArgumentException("module " + name + " is listed twice");
    }
    return this;
  }

  /** The modules in the order they were added; unmodifiable. */
  public Map<String, List<String>> asMap() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(modules));
  }
}

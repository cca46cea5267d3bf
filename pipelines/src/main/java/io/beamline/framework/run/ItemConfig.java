package io.beamline.framework.run;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.io.files.Digests;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The config hash of each item of a run: what resume compares to decide that an item committed
 * earlier was made with the settings of this run.
 *
 * <p>An item is made by one module ({@link BeamlinePipeline#itemModules}; by default the last) and
 * depends on that module's parameters, those of the modules before it, and the inputs: its hash is
 * the SHA-256 of those values as the effective config ({@link EffectiveConfig}) gives them.
 * Execution settings ({@code options:} in a config file: workers, retries, runner, resume flags)
 * are not part of it, so changing them reruns nothing, while changing one module's parameter reruns
 * exactly the items of that module and the modules after it.
 *
 * @param hashes module name to the hash of its items; {@link #ANY} for items of no listed module
 * @param itemModules regular expression over item keys to the module that makes those items
 */
public record ItemConfig(Map<String, String> hashes, Map<String, String> itemModules)
    implements Serializable {
  /** The key in {@link #hashes} of items that no pattern of {@link #itemModules} matches. */
  public static final String ANY = "*";

  public ItemConfig {
    hashes = Map.copyOf(hashes);
    // First match wins, so the patterns keep their order.
    itemModules = Collections.unmodifiableMap(new LinkedHashMap<>(itemModules));
  }

  /** The item config of {@code def} with {@code config}, its {@link EffectiveConfig}. */
  public static ItemConfig of(BeamlinePipeline<?> def, Map<String, Object> config) {
    Map<String, Object> basis = new LinkedHashMap<>();
    basis.put("pipeline", config.get("pipeline"));
    basis.put("inputs", ((Map<?, ?>) config.get("data")).get("inputs"));
    Map<String, String> hashes = new LinkedHashMap<>();
    String last = hash(basis);
    for (Map.Entry<?, ?> m : ((Map<?, ?>) config.get("modules")).entrySet()) {
      basis.put("module " + m.getKey(), m.getValue());
      last = hash(basis);
      hashes.put((String) m.getKey(), last);
    }
    hashes.put(ANY, last);
    return new ItemConfig(hashes, def.itemModules());
  }

  /** The module that makes item {@code key}: the first whose pattern matches, else {@link #ANY}. */
  public String moduleOf(String key) {
    for (Map.Entry<String, String> e : itemModules.entrySet()) {
      if (key.matches(e.getKey())) {
        return e.getValue();
      }
    }
    return ANY;
  }

  /** The config hash of item {@code key}. */
  public String hashOf(String key) {
    String h = hashes.get(moduleOf(key));
    return h == null ? hashes.get(ANY) : h;
  }

  /** Records this item config in {@code options}, where {@link #from} finds it on any worker. */
  public void into(PipelineOptions options) {
    Carrier c = options.as(Carrier.class);
    c.setItemConfigHashes(new LinkedHashMap<>(hashes));
    c.setItemConfigModules(new LinkedHashMap<>(itemModules));
  }

  /** The item config recorded in {@code options} by {@link #into}, or null (not run by Runs). */
  public static ItemConfig from(PipelineOptions options) {
    Carrier c = options.as(Carrier.class);
    if (c.getItemConfigHashes() == null || c.getItemConfigHashes().isEmpty()) {
      return null;
    }
    Map<String, String> modules = c.getItemConfigModules();
    return new ItemConfig(c.getItemConfigHashes(), modules == null ? Map.of() : modules);
  }

  private static String hash(Map<String, Object> basis) {
    // Jackson writes maps in insertion order and numbers as the config file holds them.
    byte[] json = Json.write(basis).getBytes(StandardCharsets.UTF_8);
    return Digests.sha256(json).substring(0, 16);
  }

  /** Where a run keeps its item config in its options; not a flag of any command. */
  @Hidden
  public interface Carrier extends PipelineOptions {
    @Description("Config hash per module of the run's items (set by the run, not a flag)")
    Map<String, String> getItemConfigHashes();

    void setItemConfigHashes(Map<String, String> value);

    @Description("Item key pattern to module (set by the run, not a flag)")
    Map<String, String> getItemConfigModules();

    void setItemConfigModules(Map<String, String> value);
  }
}

package io.beamline.framework.module;

import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;

/**
 * A configured stage of a pipeline: a composite {@link PTransform} built from one typed, immutable
 * config record, with declared, named inputs and outputs.
 *
 * <p>A module is the unit pipelines are composed of: a pipeline's {@code build} applies modules in
 * sequence and in parallel branches, each under its stable {@link #name()}. The config's components
 * become the module's display data, so {@code beamline plan} and the compiled plan show every
 * setting. A module sets the coders of the collections it produces (callers never call {@code
 * setCoder}) and receives explicit values only, never {@code PipelineOptions}.
 *
 * <pre>{@code
 * SimulateRegions simulate = Module.from(new SimulateConfig(seed, steps));
 * PCollection<RegionResult> results = regions.apply(simulate);
 * }</pre>
 *
 * @param <C> the config record
 * @param <InputT> what the module consumes ({@code PBegin} for a source)
 * @param <OutputT> what it produces ({@code PDone} for a sink, a {@code PCollectionTuple} keyed by
 *     its output ports for several outputs)
 */
public abstract class Module<C extends Record, InputT extends PInput, OutputT extends POutput>
    extends PTransform<InputT, OutputT> {
  private static final long serialVersionUID = 1L;

  private final C config;

  /**
   * @param name the stable stage name, lower-case words joined by hyphens (e.g. {@code
   *     extract-spikes}); it names the step in the graph, the plan and the config file
   * @param config the module's settings, validated by the record's constructor
   */
  protected Module(String name, C config) {
    super(name);
    if (!(name != null && name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*"))) {
      throw new IllegalArgumentException(
          String.format("module name must be lower-case words joined by hyphens, got %s", name));
    }
    this.config = Objects.requireNonNull(config, "config of module " + name);
  }

  /** Builds the module a config describes: {@code Module.from(new SimulateConfig(...))}. */
  public static <M extends Module<?, ?, ?>> M from(ModuleConfig<M> config) {
    return Objects.requireNonNull(config, "config").toModule();
  }

  /** The settings this module was built from. */
  public final C config() {
    return config;
  }

  /** The named inputs this module consumes, in order (empty for a source). */
  public abstract List<Port> inputs();

  /** The named outputs this module produces, in order (empty for a sink). */
  public abstract List<Port> outputs();

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("module", getName()).withLabel("Module"));
    builder.add(DisplayData.item("inputs", Port.describe(inputs())).withLabel("Inputs"));
    builder.add(DisplayData.item("outputs", Port.describe(outputs())).withLabel("Outputs"));
    ConfigDisplay.addTo(builder, config);
  }
}

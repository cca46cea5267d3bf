package io.beamline.framework;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Base of the options interfaces of {@link BeamlineTool}s. Like pipeline options, every getter of
 * an interface extending this one becomes a {@code --kebab-case} flag of the tool's command, with
 * its {@code @Description}, {@code @Default} and {@code @Validation.Required}; the flags of {@link
 * PipelineOptions} itself (runner, job name...) are not offered, since a tool runs no pipeline of
 * its own.
 */
public interface BeamlineToolOptions extends PipelineOptions {}

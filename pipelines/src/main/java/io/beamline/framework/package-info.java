/**
 * The framework every Beamline command is built on, separate from the pipelines themselves: the
 * pipeline and tool contracts ({@link io.beamline.framework.BeamlinePipeline}, {@link
 * io.beamline.framework.BeamlineTool}), their shared options, input checks and one-line user
 * errors. The run machinery (run directory, commits, locks, metrics) is in {@code
 * io.beamline.framework.run}; configured stages in {@code io.beamline.framework.module}.
 */
package io.beamline.framework;

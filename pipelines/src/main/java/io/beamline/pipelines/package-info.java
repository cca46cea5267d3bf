/**
 * Runnable pipelines: one class per pipeline, each with its own options interface, all implementing
 * {@link io.beamline.framework.BeamlinePipeline} so the command line, the plan printer and the run
 * directory treat them alike.
 */
package io.beamline.pipelines;

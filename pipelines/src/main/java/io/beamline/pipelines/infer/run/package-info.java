/**
 * {@code beamline infer run}: chunk manifests to detections through the bird-call model (or the
 * model-free energy detector), with per-chunk retries, telemetry, commits and resume. {@link
 * io.beamline.pipelines.infer.run.InferRunPipeline} composes the modules of this package.
 */
package io.beamline.pipelines.infer.run;

/**
 * The {@code infer} commands of seed 002 (BADC + HawkEars), one sub-package per command: {@code
 * chunk}, {@code aggregate}, {@code orchestrate}, {@code monitor}, {@code train}, {@code imports}
 * ({@code infer import}); the file formats they share, and the review formats of Audacity, Raven,
 * BirdNET and HawkEars, in {@code formats}; and {@code beamline infer run}, which runs a model over
 * the chunks that the manifests list.
 */
package io.beamline.pipelines.infer;

/**
 * The {@code infer} commands of seed 002 (BADC + HawkEars), one sub-package per command: {@code
 * chunk}, {@code aggregate}, {@code orchestrate}, {@code monitor}, {@code train}; the file formats
 * they share in {@code formats}; and {@code beamline infer run}, which runs a model over the chunks
 * that the manifests list.
 */
package io.beamline.pipelines.infer;

/**
 * The file formats the {@code infer} commands share, each with one class that both writes and reads
 * it: the chunk manifest ({@link io.beamline.pipelines.infer.formats.ChunkManifest}, written by
 * {@code infer chunk}, read by {@code infer run} and {@code infer orchestrate}) and the CSV text
 * they are written in ({@link io.beamline.pipelines.infer.formats.Csv}); the telemetry of attempts
 * ({@link io.beamline.pipelines.infer.formats.TelemetryLog}, written by {@code infer run}, read by
 * {@code infer monitor}) and the detections table ({@link
 * io.beamline.pipelines.infer.formats.DetectionsTable}, written by {@code infer run} and {@code
 * infer aggregate}, read by {@code infer aggregate}).
 */
package io.beamline.pipelines.infer.formats;

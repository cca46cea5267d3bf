/**
 * File formats shared between the {@code infer} commands, one class each that both writes and reads
 * its format: the telemetry of attempts ({@link io.beamline.pipelines.infer.formats.TelemetryLog},
 * written by {@code infer run}, read by {@code infer monitor}) and the detections table ({@link
 * io.beamline.pipelines.infer.formats.DetectionsTable}, written by {@code infer run} and {@code
 * infer aggregate}, read by {@code infer aggregate}).
 */
package io.beamline.pipelines.infer.formats;

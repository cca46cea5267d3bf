/**
 * The file formats the {@code infer} commands share, each with one class that both writes and reads
 * it: the chunk manifest ({@link io.beamline.pipelines.infer.formats.ChunkManifest}, written by
 * {@code infer chunk}, read by {@code infer run} and {@code infer orchestrate}) and the CSV text
 * they are written in ({@link io.beamline.pipelines.infer.formats.Csv}); the telemetry of attempts
 * ({@link io.beamline.pipelines.infer.formats.TelemetryLog}, written by {@code infer run}, read by
 * {@code infer monitor}) and the detections table ({@link
 * io.beamline.pipelines.infer.formats.DetectionsTable}, written by {@code infer run} and {@code
 * infer aggregate}, read by {@code infer aggregate}); and the review formats of other tools,
 * written by {@code infer run --export} and {@code infer aggregate --export} ({@link
 * io.beamline.pipelines.infer.formats.ReviewFormat}) and read by {@code infer import}: Audacity
 * label files ({@link io.beamline.pipelines.infer.formats.AudacityLabels}), Raven selection tables
 * ({@link io.beamline.pipelines.infer.formats.RavenTable}), BirdNET-style CSVs ({@link
 * io.beamline.pipelines.infer.formats.ResultsCsv}) and HawkEars' labels CSV ({@link
 * io.beamline.pipelines.infer.formats.HawkEarsLabels}, read only), all over {@link
 * io.beamline.pipelines.infer.formats.Selection}s ({@link
 * io.beamline.pipelines.infer.formats.Selections}: merging, exact number text, recording ids).
 */
package io.beamline.pipelines.infer.formats;

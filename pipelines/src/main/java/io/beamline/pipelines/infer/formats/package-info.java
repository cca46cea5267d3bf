/**
 * The file formats the {@code infer} commands share, each with one class that both writes and reads
 * it: the chunk manifest ({@link io.beamline.pipelines.infer.formats.ChunkManifest}, written by
 * {@code infer chunk}, read by {@code infer run} and {@code infer orchestrate}) and the CSV text
 * they are written in ({@link io.beamline.pipelines.infer.formats.Csv}).
 */
package io.beamline.pipelines.infer.formats;

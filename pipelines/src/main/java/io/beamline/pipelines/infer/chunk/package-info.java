/**
 * {@code beamline infer chunk}: WAV recordings into fixed-length chunks at the model's rate, one
 * chunk manifest and one chunk status file per recording, and a Parquet chunk table; and {@link
 * io.beamline.pipelines.infer.chunk.ChunkAudio}, how a chunk's audio is read back for a model.
 */
package io.beamline.pipelines.infer.chunk;

/**
 * The {@code infer} pipelines of seed 002 (BADC + HawkEars): {@code beamline infer chunk} turns WAV
 * recordings into fixed-length chunks at the model's rate, one chunk manifest CSV and one chunk
 * status file per recording, and a Parquet chunk table.
 */
package io.beamline.pipelines.infer;

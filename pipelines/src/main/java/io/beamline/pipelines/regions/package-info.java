/**
 * The {@code regions} pipeline: DeepSIF's neural-mass data generation (Jansen-Rit simulation per
 * region, spike extraction, DeepSIF's MAT files plus Parquet tables) with regions as parallel work
 * items, resume from clip_info markers and per-region failure records.
 */
package io.beamline.pipelines.regions;

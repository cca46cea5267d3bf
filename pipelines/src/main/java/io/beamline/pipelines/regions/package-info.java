/**
 * The {@code regions} pipeline: DeepSIF's neural-mass data generation (Jansen-Rit simulation per
 * region, spike extraction, DeepSIF's MAT files plus Parquet tables, synthetic sources and mixed
 * sensor EEG) with regions as parallel, committed work items, resume from commit records and
 * per-region failure records. Composed of the modules {@link
 * io.beamline.pipelines.regions.RegionRange}, {@link
 * io.beamline.pipelines.regions.SimulateRegions}, {@link
 * io.beamline.pipelines.regions.DeriveTables}, {@link
 * io.beamline.pipelines.regions.BuildSyntheticSources} and {@link
 * io.beamline.pipelines.regions.MixEeg}; the numeric kernels are in {@code
 * io.beamline.transforms.nmm}.
 */
package io.beamline.pipelines.regions;

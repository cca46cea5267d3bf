/**
 * {@code beamline constellation}: multi-modal sensor ingestion over Kafka, synchronisation on one
 * session timeline, NWB / OME-Zarr / Parquet storage and WebDataset export (seed 000, neurOS
 * Constellation). See {@link io.beamline.pipelines.constellation.ConstellationPipeline}.
 */
package io.beamline.pipelines.constellation;

/**
 * {@code beamline constellation}: multi-modal sensor ingestion over Kafka, synchronisation on one
 * session timeline, NWB / OME-Zarr / Parquet storage and WebDataset export (seed 000, neurOS
 * Constellation). See {@link io.beamline.pipelines.constellation.ConstellationPipeline}.
 *
 * <p>The graph is three modules, the same in batch and {@code --streaming}: a source ({@link
 * io.beamline.pipelines.constellation.DriverSource} or {@link
 * io.beamline.pipelines.constellation.KafkaSource}), {@link
 * io.beamline.pipelines.constellation.AlignStreams} and {@link
 * io.beamline.pipelines.constellation.SessionOutputs}; the modes differ in the source's settings
 * and the {@link io.beamline.pipelines.constellation.Windowing}. Around the graph: {@link
 * io.beamline.pipelines.constellation.SessionIngest} (broker, ingest, progress line) before it runs
 * and {@link io.beamline.pipelines.constellation.SessionCommit} (the session as one committed item)
 * after.
 */
package io.beamline.pipelines.constellation;

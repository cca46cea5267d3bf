/**
 * NWB 2.x (Neurodata Without Borders, schema 2.7.0) files written with jHDF: the root groups,
 * datasets and attributes NWB requires, and one {@code TimeSeries} per modality in {@code
 * acquisition}, readable by h5py.
 *
 * <p>{@link io.beamline.io.nwb.NwbFile} describes a file and its series, {@link
 * io.beamline.io.nwb.NwbWriter} writes it from plain Java and {@link io.beamline.io.nwb.NwbIO} from
 * Beam.
 */
package io.beamline.io.nwb;

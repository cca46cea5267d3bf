/**
 * NWB 2.x (Neurodata Without Borders, schema 2.7.0) files that the NWB schema accepts: the root
 * groups, datasets and attributes NWB requires with the dtypes it wants, the session metadata under
 * {@code /general} with a {@code Subject}, one {@code TimeSeries} per modality in {@code
 * acquisition}, and the NWB core and hdmf-common specifications cached in {@code /specifications}.
 *
 * <p>{@link io.beamline.io.nwb.NwbFile} and {@link io.beamline.io.nwb.NwbSubject} describe a file,
 * {@link io.beamline.io.nwb.NwbTimeSeries} its series; {@link io.beamline.io.nwb.NwbWriter} writes
 * it from plain Java and {@link io.beamline.io.nwb.NwbIO} from Beam. The HDF5 encoding is this
 * package's own ({@code Hdf5Writer}); jHDF reads every file back before it is published.
 */
package io.beamline.io.nwb;

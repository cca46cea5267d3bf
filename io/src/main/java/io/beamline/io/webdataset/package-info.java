/**
 * WebDataset export: POSIX tar shards in which every file of one sample shares the name up to the
 * first dot ({@code <key>.<field>}), so that Python's {@code tarfile} and the {@code webdataset}
 * library read them directly.
 *
 * <p>{@link io.beamline.io.webdataset.ShardWriter} writes shards from plain Java; {@link
 * io.beamline.io.webdataset.WebDatasetIO} is the Beam connector. {@link
 * io.beamline.io.webdataset.NpyArray} encodes numeric arrays in NumPy's {@code .npy} format.
 */
package io.beamline.io.webdataset;

/**
 * OME-Zarr (OME-NGFF 0.4, Zarr v2 directory store) for video frames: a multiscale image group with
 * axes {@code t, c, z, y, x} and {@code uint8} pixels, readable by Python {@code zarr} and OME-NGFF
 * viewers.
 *
 * <p>{@link io.beamline.io.zarr.OmeZarrLayout} describes the image, {@link
 * io.beamline.io.zarr.OmeZarrWriter} writes it from plain Java and {@link
 * io.beamline.io.zarr.OmeZarrIO} from Beam.
 */
package io.beamline.io.zarr;

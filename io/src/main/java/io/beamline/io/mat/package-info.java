/**
 * MATLAB MAT-file input and output: {@link io.beamline.io.mat.MatReader} reads numeric variables
 * from v5 and v7.3 (HDF5) files, {@link io.beamline.io.mat.MatWriter} writes v5 files atomically,
 * {@link io.beamline.io.mat.MatMatrix} is the immutable row-major array both use.
 *
 * <p>MATLAB stores arrays column-major; everything in this package hands out row-major data with
 * MATLAB's shape, so {@code get(i, j)} is {@code A(i+1, j+1)} in MATLAB.
 */
package io.beamline.io.mat;

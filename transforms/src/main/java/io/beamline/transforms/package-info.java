/**
 * Reusable PTransforms and the plain numeric kernels behind them.
 *
 * <p>Transforms here take explicit values, never {@code PipelineOptions}; kernels are plain Java
 * over primitive arrays with no Beam inside, so they are unit-tested against known values.
 */
package io.beamline.transforms;

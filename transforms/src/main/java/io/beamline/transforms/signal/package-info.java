/** Scalar signal generation and windowed summaries. */
package io.beamline.transforms.signal;

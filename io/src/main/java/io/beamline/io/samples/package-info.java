/** Scalar time-series samples and their CSV connector. */
package io.beamline.io.samples;

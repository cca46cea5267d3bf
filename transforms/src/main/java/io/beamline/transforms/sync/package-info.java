/**
 * Plain numeric sensor synchronisation: packets of one stream with device timestamps and sequence
 * numbers become one series on the session's sample grid, with lost packets marked as gaps and the
 * stream's clock offset, jitter and drift measured ({@link
 * io.beamline.transforms.sync.StreamSync}). No Beam inside; the {@code constellation} pipeline
 * wraps it.
 */
package io.beamline.transforms.sync;

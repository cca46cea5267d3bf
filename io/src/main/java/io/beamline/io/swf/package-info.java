/**
 * The streaming workflow's file and message formats (seed 003, the ePIC streaming testbed): super
 * time frame (STF) files, written by the DAQ simulator and read by the processing and fast
 * monitoring agents ({@link io.beamline.io.swf.StfWriter}, {@link io.beamline.io.swf.StfFile}), and
 * the JSON workflow messages the agents exchange over Kafka ({@link
 * io.beamline.io.swf.WorkflowMessage} with its one codec {@link
 * io.beamline.io.swf.WorkflowMessages}).
 *
 * <p>The formats are described for users in {@code docs/stf-format.md} and {@code docs/stream.md}.
 */
package io.beamline.io.swf;

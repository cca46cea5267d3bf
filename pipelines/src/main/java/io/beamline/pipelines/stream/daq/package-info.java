/**
 * {@code beamline stream daq}: the streaming workflow's DAQ simulator (seed 003). {@link
 * io.beamline.pipelines.stream.daq.DaqStateMachine} is the run's timeline on simulated time, from
 * the durations of a {@link io.beamline.pipelines.stream.daq.DaqSchedule}; {@code DaqSimulator}
 * plays it (real time or as fast as possible), writing STF files and publishing the workflow
 * messages; {@link io.beamline.pipelines.stream.daq.RunNumbers} hands out run numbers from the
 * monitor or a local counter file. Users' documentation: {@code docs/stream.md}.
 */
package io.beamline.pipelines.stream.daq;

/**
 * {@code beamline stream process}: the processing agent of the streaming workflow (issue #12, seed
 * 003 swf-testbed). An unbounded pipeline reads the DAQ's messages from Kafka ({@code swf.daq}),
 * verifies and decodes every super time frame (STF) file it announces, writes one Parquet summary
 * per STF and one summary per ended run, samples each STF for fast monitoring (TF files, slices,
 * event-time windowed histograms) and publishes what it did on {@code swf.processing}.
 *
 * <p>Stages, in the order {@link io.beamline.pipelines.stream.process.StreamProcessPipeline#build}
 * wires them: {@code read-daq} ({@link io.beamline.pipelines.stream.process.ReadDaqModule}), {@code
 * process-stfs} ({@link io.beamline.pipelines.stream.process.ProcessStfsModule}), {@code
 * fast-monitor} ({@link io.beamline.pipelines.stream.process.FastMonitorModule}), {@code
 * close-runs} ({@link io.beamline.pipelines.stream.process.CloseRunsModule}), {@code publish}
 * ({@link io.beamline.pipelines.stream.process.PublishModule}) and {@code commit-offsets} ({@link
 * io.beamline.pipelines.stream.process.CommitOffsetsModule}).
 *
 * <p>Exactly once: every input record is acknowledged ({@link
 * io.beamline.pipelines.stream.process.Ack}) only after its effects are durable (STF committed with
 * the commit protocol, messages sent), and the consumer group's offset moves only over a contiguous
 * run of acknowledged records; a restart re-reads what was not acknowledged, and an STF whose
 * commit record exists is never processed again.
 */
package io.beamline.pipelines.stream.process;

package io.beamline.pipelines.stream.process;

import io.beamline.framework.BeamlineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@code beamline stream process}. */
public interface ProcessOptions extends BeamlineOptions {
  @Description("Kafka bootstrap servers, HOST:PORT[,HOST:PORT...] (required)")
  String getBroker();

  void setBroker(String value);

  @Description("Consumer group whose committed offsets record what is done")
  @Default.String("beamline-process")
  String getGroup();

  void setGroup(String value);

  @Description("Workflow namespace; messages of other namespaces are counted and dropped")
  @Default.String("beamline")
  String getNamespace();

  void setNamespace(String value);

  @Description("Seconds between heartbeats on swf.heartbeat, 1..3600")
  @Default.Integer(10)
  int getHeartbeatSeconds();

  void setHeartbeatSeconds(int value);

  @Description("Stop cleanly once this many runs are closed (0 = run until stopped)")
  @Default.Integer(0)
  int getExitAfterRuns();

  void setExitAfterRuns(int value);

  @Description(
      "Seconds after end_run to wait for an STF never announced before recording it as failed"
          + " and closing the run (0 = wait for ever)")
  @Default.Long(600)
  long getRunTimeoutSeconds();

  void setRunTimeoutSeconds(long value);

  @Description("Share of each STF partition fast monitoring samples, in (0, 1]")
  @Default.Double(0.15)
  double getFastmonFraction();

  void setFastmonFraction(double value);

  @Description("Partitions each STF is split into for fast-monitoring sampling, 1..1000")
  @Default.Integer(7)
  int getFastmonPartitions();

  void setFastmonPartitions(int value);

  @Description("Seed of the fast-monitoring block starts (with the run and sequence)")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("TFs per fast-monitoring slice, >= 1")
  @Default.Integer(2)
  int getSliceTfs();

  void setSliceTfs(int value);

  @Description("Event-time window of the fast-monitoring histograms in seconds, >= 1")
  @Default.Long(10)
  long getWindowSeconds();

  void setWindowSeconds(long value);

  @Description(
      "Seconds the watermark trails the newest STF start: STFs later than that miss the"
          + " histograms (never the summaries)")
  @Default.Long(5)
  long getWatermarkDelaySeconds();

  void setWatermarkDelaySeconds(long value);

  @Description(
      "Read Kafka in large bundles (KafkaIO's splittable read, on the DirectRunner): 2-3x the"
          + " STFs/s of the default reader for working through a backlog, but each STF waits about"
          + " a second before it is processed (the fast-monitoring latency)")
  @Default.Boolean(false)
  boolean getCatchUp();

  void setCatchUp(boolean value);
}

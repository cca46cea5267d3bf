package io.beamline.pipelines.stream.daq;

import io.beamline.framework.BeamlineToolOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code beamline stream daq}; each getter is a {@code --kebab-case} flag. */
public interface DaqOptions extends BeamlineToolOptions {
  @Description("Kafka broker HOST:PORT (comma-separated list allowed) to publish the messages to")
  @Validation.Required
  String getBroker();

  void setBroker(String value);

  @Description("Namespace every message carries; agents ignore messages of other namespaces")
  @Default.String("beamline")
  String getNamespace();

  void setNamespace(String value);

  @Description("Directory holding buffer/ (the STF files), run-counter and logs/<execution>.log")
  @Default.String("beamline-output")
  String getOutputDir();

  void setOutputDir(String value);

  @Description("Directory the STF files are written to; default <output-dir>/buffer")
  String getBufferDir();

  void setBufferDir(String value);

  @Description(
      "TOML (.toml) or YAML (.yaml/.yml) file with the state machine's durations; docs/stream.md"
          + " lists the keys and defaults")
  String getSchedule();

  void setSchedule(String value);

  @Description("Seconds between two STFs while in run/physics, > 0")
  @Default.Double(2.0)
  double getStfInterval();

  void setStfInterval(double value);

  @Description(
      "Run as fast as possible (timestamps still follow the schedule) instead of in real time")
  @Default.Boolean(false)
  boolean getNoRealtime();

  void setNoRealtime(boolean value);

  @Description(
      "End each run's physics after this many STFs (pauses still follow the schedule); default:"
          + " the schedule's physics periods")
  Integer getStfCount();

  void setStfCount(Integer value);

  @Description(
      "Seconds of physics per run (cut into the schedule's physics periods); default: the"
          + " schedule's physics_periods x physics_seconds")
  Double getDuration();

  void setDuration(Double value);

  @Description("Number of runs to take, one after the other, >= 1")
  @Default.Integer(1)
  int getRuns();

  void setRuns(int value);

  @Description("Time frames per STF, 1-100000")
  @Default.Integer(1000)
  int getTfsPerStf();

  void setTfsPerStf(int value);

  @Description("Mean number of synthetic hits per time frame (Poisson), 0-10000")
  @Default.Double(20.0)
  double getHitsPerTf();

  void setHitsPerTf(double value);

  @Description("Number of detectors the synthetic hits are spread over, 1-65535")
  @Default.Integer(8)
  int getDetectors();

  void setDetectors(int value);

  @Description("Seed of the synthetic hits: the same seed, run and sequence give the same hits")
  @Default.Long(42L)
  long getSeed();

  void setSeed(long value);

  @Description("Seconds between two heartbeats on swf.heartbeat, > 0")
  @Default.Double(10.0)
  double getHeartbeatSeconds();

  void setHeartbeatSeconds(double value);

  @Description(
      "Base URL of 'beamline monitor serve' (e.g. http://127.0.0.1:8765): run numbers come from"
          + " it; default: the local counter <output-dir>/run-counter")
  String getMonitorUrl();

  void setMonitorUrl(String value);

  @Description("Token for the monitor's writes (or --monitor-token-file)")
  String getMonitorToken();

  void setMonitorToken(String value);

  @Description("File holding the monitor's token, e.g. <monitor output-dir>/monitor.token")
  String getMonitorTokenFile();

  void setMonitorTokenFile(String value);

  @Description("Testing aid: fraction of stf_gen messages sent twice (seeded by --seed), in [0, 1]")
  @Default.Double(0.0)
  double getDuplicateFraction();

  void setDuplicateFraction(double value);

  @Description(
      "Testing aid: fraction of stf_gen messages held back and sent after the next STF's (or"
          + " after end_run), out of order (seeded by --seed), in [0, 1]")
  @Default.Double(0.0)
  double getDelayFraction();

  void setDelayFraction(double value);
}

package io.beamline.framework;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options every Beamline pipeline has. Pipeline options interfaces extend this one. */
public interface BeamlineOptions extends PipelineOptions {

  @Description(
      "Directory for the pipeline's outputs; every run also writes its record to"
          + " <output-dir>/runs/<run-id>/")
  @Default.String("beamline-output")
  String getOutputDir();

  void setOutputDir(String value);

  @Description("Run id; default: <UTC yyyyMMdd'T'HHmmss'Z'>-<pipeline>-<4 random hex digits>")
  String getRunId();

  void setRunId(String value);

  @Description(
      "Serve the run's live metrics (Beam counters and distributions, JVM memory) for Prometheus"
          + " at http://<metrics-host>:<port>/metrics while the run executes; 0 = any free port."
          + " The URL is logged and recorded as metrics_url in manifest.json. Default: off")
  Integer getMetricsPort();

  void setMetricsPort(Integer value);

  @Description(
      "Address the metrics endpoint listens on: 127.0.0.1 (this machine only) or 0.0.0.0 (every"
          + " interface, for a Prometheus server elsewhere)")
  @Default.String("127.0.0.1")
  String getMetricsHost();

  void setMetricsHost(String value);

  @Description(
      "Report this run to a monitoring service (`beamline monitor serve`): the run, its progress"
          + " (items committed) and heartbeats, e.g. http://127.0.0.1:8765. Default: off")
  String getMonitorUrl();

  void setMonitorUrl(String value);

  @Description(
      "File holding the monitor's write token (`beamline monitor serve` writes"
          + " <output-dir>/monitor.token); default: $BEAMLINE_MONITOR_TOKEN")
  String getMonitorTokenFile();

  void setMonitorTokenFile(String value);
}

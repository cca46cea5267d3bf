package io.beamline.pipelines.stream.testbed;

import io.beamline.framework.BeamlineToolOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code beamline stream testbed start|status|stop}. */
public interface TestbedOptions extends BeamlineToolOptions {
  @Description("start, status or stop (supervise is the background supervisor start launches)")
  @Validation.Required
  String getAction();

  void setAction(String value);

  @Description("Testbed directory: testbed.json, logs/, the broker's data, each agent's outputs")
  @Default.String("beamline-testbed")
  String getDir();

  void setDir(String value);

  @Description("Agents to start, comma-separated, in start order (of: monitor, process, daq)")
  @Default.String("monitor,process,daq")
  String getAgents();

  void setAgents(String value);

  @Description("Port of the monitor on 127.0.0.1; 0 picks a free one")
  @Default.Integer(8765)
  int getMonitorPort();

  void setMonitorPort(int value);

  @Description(
      "Runner of the process agent: DirectRunner, or FlinkRunner (an embedded Flink cluster, which"
          + " waits for data without holding a core)")
  @Default.String("DirectRunner")
  String getProcessRunner();

  void setProcessRunner(String value);

  @Description("The daq's --stf-count: STFs per run")
  Integer getStfCount();

  void setStfCount(Integer value);

  @Description("The daq's --runs")
  @Default.Integer(1)
  int getRuns();

  void setRuns(int value);

  @Description("The daq's --no-realtime: play the run as fast as possible")
  @Default.Boolean(false)
  boolean getNoRealtime();

  void setNoRealtime(boolean value);

  @Description("The daq's --schedule file (TOML or YAML)")
  String getSchedule();

  void setSchedule(String value);

  @Description(
      "stop: seconds between SIGTERM and SIGKILL for each process, > 0 (process drains its work"
          + " in flight on SIGTERM)")
  @Default.Double(60.0)
  double getGraceSeconds();

  void setGraceSeconds(double value);

  @Description("start: seconds to wait for the broker and the monitor to be up, > 0")
  @Default.Double(180.0)
  double getStartTimeoutSeconds();

  void setStartTimeoutSeconds(double value);

  @Description("The daq's --duplicate-fraction (testing aid: stf_gen messages sent twice)")
  @Default.Double(0.0)
  double getDuplicateFraction();

  void setDuplicateFraction(double value);

  @Description("The daq's --delay-fraction (testing aid: stf_gen messages out of order or late)")
  @Default.Double(0.0)
  double getDelayFraction();

  void setDelayFraction(double value);
}

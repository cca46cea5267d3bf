package io.beamline.pipelines;

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
}

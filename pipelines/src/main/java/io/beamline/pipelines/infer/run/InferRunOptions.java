package io.beamline.pipelines.infer.run;

import io.beamline.framework.BeamlineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@code beamline infer run}; validated by {@link InferRunPipeline#validate} and
 * resolved once into the modules' config records.
 */
public interface InferRunOptions extends BeamlineOptions {
  /** {@code --model} meaning the detector shipped in the jar. */
  String BUNDLED = "bundled";

  @Description(
      "Chunk manifest CSV written by infer chunk, or a directory of them (also the command's"
          + " argument: beamline infer run MANIFEST.csv)")
  String getManifest();

  void setManifest(String value);

  @Description(
      "Directory relative chunk paths resolve against; default: the parent of the manifest's"
          + " 'manifests' directory, else the manifest's directory")
  String getDatasetRoot();

  void setDatasetRoot(String value);

  @Description(
      "Directory of the raw score files, <output>/<recording_id>/<chunk_id>.json (seed 002's"
          + " --output); default: <output-dir>/artifacts/infer. Detections, commit records and"
          + " run records stay under --output-dir")
  String getOutput();

  void setOutput(String value);

  @Description(
      "Directory of the telemetry (<stem>.jsonl), summary (<stem>.summary.json) and workers"
          + " (<stem>.workers.csv) files; default: telemetry in <output-dir>/telemetry/, summary"
          + " and workers in <output-dir>/")
  String getLogDir();

  void setLogDir(String value);

  @Description(
      "Bird-call model directory (birdcall-0000.params + birdcall.properties), or 'bundled' for"
          + " the detector shipped in the jar (extracted to the temp directory; on a remote"
          + " cluster give a directory every worker can read)")
  @Default.String(BUNDLED)
  String getModel();

  void setModel(String value);

  @Description("Run the model-free energy detector instead of a model")
  @Default.Boolean(false)
  boolean getStubRunner();

  void setStubRunner(boolean value);

  @Description(
      "Run the detection model of --model (seed 002's switch to HawkEars; the DJL bird-call"
          + " model stands in for it here); the opposite of --stub-runner")
  @Default.Boolean(false)
  boolean getUseHawkears();

  void setUseHawkears(boolean value);

  @Description("Chunks per model call, in [1, 4096]")
  @Default.Integer(16)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Accepted for compatibility; no effect, since batches are formed before inference")
  @Default.Long(0)
  long getMaxWaitMs();

  void setMaxWaitMs(long value);

  @Description("GPUs to use per worker, -1 = all, 0 = none")
  @Default.Integer(-1)
  int getMaxGpus();

  void setMaxGpus(int value);

  @Description("Worker slots per GPU")
  @Default.Integer(1)
  int getWorkersPerGpu();

  void setWorkersPerGpu(int value);

  @Description("Same as --workers-per-gpu (seed 002's spelling)")
  Integer getWorkerPerGpu();

  void setWorkerPerGpu(Integer value);

  @Description("CPU worker slots besides the GPU ones (one when no GPU is used)")
  @Default.Integer(0)
  int getCpuWorkers();

  void setCpuWorkers(int value);

  @Description(
      "Worker slots in all, in [1, 1024] (seed 002's override of the worker count): one per GPU"
          + " in use (up to --max-gpus) and more per GPU when N allows, the rest on the CPU;"
          + " replaces --workers-per-gpu and --cpu-workers")
  Integer getWorkers();

  void setWorkers(Integer value);

  @Description(
      "Skip chunks this summary records as succeeded whose outputs are committed in"
          + " --output-dir; the others run again")
  String getResumeSummary();

  void setResumeSummary(String value);

  @Description(
      "Skip chunks whose outputs are committed in --output-dir (commit records under"
          + " commits/infer-run/), so a killed run redoes only what it had not committed")
  @Default.Boolean(false)
  boolean getResumeCompleted();

  void setResumeCompleted(boolean value);

  @Description(
      "Print a 'datalad run' command that records this run in a DataLad dataset, and exit"
          + " without running")
  @Default.Boolean(false)
  boolean getPrintDataladRun();

  void setPrintDataladRun(boolean value);

  @Description("Retries per chunk after a failed attempt, in [0, 10]")
  @Default.Integer(2)
  int getMaxRetries();

  void setMaxRetries(int value);

  @Description("Backoff before retry r is backoff-base-s * 2^(r-1) seconds")
  @Default.Double(2.0)
  double getBackoffBaseS();

  void setBackoffBaseS(double value);

  @Description("Fail this fraction of attempts on purpose (testing retries), in [0, 1]")
  @Default.Double(0.0)
  double getInjectFailureRate();

  void setInjectFailureRate(double value);

  @Description("Seed of the injected failures")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);

  @Description("Lowest score a label needs to become a detection row, in [0, 1]")
  @Default.Double(0.5)
  double getMinConfidence();

  void setMinConfidence(double value);

  @Description(
      "Also write each recording's detections for review, into <output-dir>/exports/:"
          + " comma-separated audacity (<recording>.labels.txt), raven"
          + " (<recording>.selections.txt), csv (<recording>.results.csv); overlapping chunks of a"
          + " label merged; default: none")
  String getExport();

  void setExport(String value);
}

package io.beamline.pipelines.infer.orchestrate;

import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.FlagAlias;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code beamline infer orchestrate}; the seed's {@code --sockeye-*} names too. */
@FlagAlias(flag = "--sockeye-script", property = "slurmScript")
@FlagAlias(flag = "--sockeye-job-name", property = "slurmJobName")
@FlagAlias(flag = "--sockeye-account", property = "slurmAccount")
@FlagAlias(flag = "--sockeye-partition", property = "slurmPartition")
@FlagAlias(flag = "--sockeye-gres", property = "slurmGres")
@FlagAlias(flag = "--sockeye-time", property = "slurmTime")
@FlagAlias(flag = "--sockeye-cpus-per-task", property = "slurmCpusPerTask")
@FlagAlias(flag = "--sockeye-mem", property = "slurmMem")
@FlagAlias(flag = "--sockeye-log-dir", property = "slurmLogDir")
@FlagAlias(flag = "--sockeye-resume-completed", property = "slurmResumeCompleted")
@FlagAlias(flag = "--sockeye-bundle", property = "slurmBundle")
@FlagAlias(flag = "--sockeye-bundle-aggregate-dir", property = "aggregateOutputDir")
@FlagAlias(flag = "--sockeye-bundle-bucket-minutes", property = "bucketMinutes")
public interface InferOrchestrateOptions extends BeamlineToolOptions {
  @Description("Output directory of 'beamline infer chunk' (holding manifests/)")
  @Validation.Required
  String getDirectory();

  void setDirectory(String value);

  @Description(
      "Directory of the chunk manifests; relative paths are under DIRECTORY (default:"
          + " DIRECTORY/manifests)")
  String getManifestDir();

  void setManifestDir(String value);

  @Description(
      "Where chunk status files are read: <chunks-dir>/<recording>/.chunk_status.json (the"
          + " seed's layout) or <chunks-dir>/<recording>.chunk_status.json; relative paths are"
          + " under DIRECTORY (default: next to the manifests, else"
          + " DIRECTORY/artifacts/chunks/<recording>/.chunk_status.json)")
  String getChunksDir();

  void setChunksDir(String value);

  @Description(
      "Plan recordings whose inference already left a summary too (default: leave them out)")
  @Default.Boolean(false)
  boolean getIncludeExisting();

  void setIncludeExisting(boolean value);

  @Description(
      "Pass each recording's existing summary to its run as --resume-summary, so chunks that"
          + " already succeeded are skipped")
  @Default.Boolean(false)
  boolean getResumeCompleted();

  void setResumeCompleted(boolean value);

  @Description("Every run uses the model-free energy detector (infer run --stub-runner)")
  @Default.Boolean(false)
  boolean getStubRunner();

  void setStubRunner(boolean value);

  @Description(
      "With --apply: run each inference as 'datalad run' in the DataLad dataset DIRECTORY, so"
          + " its outputs are saved with a re-executable record (needs datalad on PATH)")
  @Default.Boolean(false)
  boolean getRecordDatalad();

  void setRecordDatalad(boolean value);

  @Description("Run without 'datalad run' (the default; the seed's flag)")
  @Default.Boolean(false)
  boolean getNoRecordDatalad();

  void setNoRecordDatalad(boolean value);

  @Description("Plan recordings whose chunk status is not 'completed' too")
  @Default.Boolean(false)
  boolean getAllowPartialChunks();

  void setAllowPartialChunks(boolean value);

  @Description("Run the plan now: each manifest's inference, then the aggregation")
  @Default.Boolean(false)
  boolean getApply();

  void setApply(boolean value);

  @Description("--output-dir of every inference run and where the plan goes (default: DIRECTORY)")
  String getRunOutputDir();

  void setRunOutputDir(String value);

  @Description("--output-dir of the aggregation (default: the run output directory)")
  String getAggregateOutputDir();

  void setAggregateOutputDir(String value);

  @Description("--bucket-minutes of the aggregation, > 0")
  @Default.Double(1.0)
  double getBucketMinutes();

  void setBucketMinutes(double value);

  @Description(
      "More flags for every inference run, separated by spaces, e.g. \"--model models/birdcall\"")
  @Default.String("")
  String getRunArgs();

  void setRunArgs(String value);

  @Description("The command run for each manifest")
  @Default.String("infer run")
  String getRunCommand();

  void setRunCommand(String value);

  @Description("Runner of the planned runs: DirectRunner or SparkRunner")
  @Default.String("DirectRunner")
  String getInferRunner();

  void setInferRunner(String value);

  @Description("Spark master of the planned runs with --infer-runner SparkRunner, e.g. local[4]")
  String getInferSparkMaster();

  void setInferSparkMaster(String value);

  @Description("Write a SLURM array script here (one manifest per array task) instead of running")
  String getSlurmScript();

  void setSlurmScript(String value);

  @Description(
      "Directory for the SLURM logs and for every run's telemetry and summary (passed as"
          + " --log-dir to each infer run; default: SLURM logs in <run output>/slurm-logs,"
          + " telemetry and summaries where infer run puts them)")
  String getSlurmLogDir();

  void setSlurmLogDir(String value);

  @Description("SLURM partition (default: the cluster's)")
  String getSlurmPartition();

  void setSlurmPartition(String value);

  @Description("SLURM time limit per task, e.g. 04:00:00")
  @Default.String("04:00:00")
  String getSlurmTime();

  void setSlurmTime(String value);

  @Description("SLURM job name")
  @Default.String("beamline-infer")
  String getSlurmJobName();

  void setSlurmJobName(String value);

  @Description("SLURM account (default: the user's)")
  String getSlurmAccount();

  void setSlurmAccount(String value);

  @Description("SLURM generic resources per task, e.g. gpu:1")
  String getSlurmGres();

  void setSlurmGres(String value);

  @Description("CPUs per SLURM task")
  @Default.Integer(4)
  int getSlurmCpusPerTask();

  void setSlurmCpusPerTask(int value);

  @Description("Memory per SLURM task, e.g. 16G")
  @Default.String("16G")
  String getSlurmMem();

  void setSlurmMem(String value);

  @Description(
      "The script's tasks add --resume-summary when their recording's summary exists, so a"
          + " resubmitted array skips chunks that already succeeded")
  @Default.Boolean(false)
  boolean getSlurmResumeCompleted();

  void setSlurmResumeCompleted(boolean value);

  @Description(
      "Task 0 submits 'beamline infer aggregate' (DuckDB, Parquet, quicklook bundle) to start"
          + " once every task succeeded (default: true)")
  Boolean getSlurmBundle();

  void setSlurmBundle(Boolean value);

  @Description("beamline.jar the SLURM tasks run (default: this jar, else runners/target/)")
  String getSlurmJar();

  void setSlurmJar(String value);
}

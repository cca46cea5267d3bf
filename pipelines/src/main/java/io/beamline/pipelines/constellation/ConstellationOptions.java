package io.beamline.pipelines.constellation;

import io.beamline.framework.BeamlineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * Options of {@code beamline constellation}. Beam's {@code --streaming} ({@link StreamingOptions})
 * selects the streaming mode: real-time ingest, event-time windows, per-window outputs; {@code
 * --duration} then bounds the run.
 */
public interface ConstellationOptions extends BeamlineOptions, StreamingOptions {
  @Description("Seconds of data each driver records, in (0, 600]")
  @Default.Double(10.0)
  double getDuration();

  void setDuration(double value);

  @Description("Subject identifier (letters, digits, '_' and '-'); used in file names")
  String getSubjectId();

  void setSubjectId(String value);

  @Description("Session identifier (letters, digits, '_' and '-'); used in file names")
  String getSessionId();

  void setSessionId(String value);

  @Description(
      "Kafka bootstrap servers host:port[,host:port]; default: an embedded broker started for"
          + " the run")
  String getKafkaBootstrap();

  void setKafkaBootstrap(String value);

  @Description("Bypass Kafka: drivers feed the sync stage directly (samples are still counted)")
  @Default.Boolean(false)
  boolean getNoKafka();

  void setNoKafka(boolean value);

  @Description("Prefix of the topics <prefix>.<modality>.<sensor_id>")
  @Default.String("raw")
  String getTopicPrefix();

  void setTopicPrefix(String value);

  @Description("Drop ~5% of packets and jitter timestamps (2 ms), seeded by --seed")
  @Default.Boolean(false)
  boolean getFaultInjection();

  void setFaultInjection(boolean value);

  @Description("Seed of the drivers' signals and of fault injection")
  @Default.Long(42L)
  long getSeed();

  void setSeed(long value);

  @Description("Length of one aligned window (one WebDataset sample) in seconds, in (0, 3600]")
  @Default.Double(1.0)
  double getWindowSeconds();

  void setWindowSeconds(double value);

  @Description("WebDataset samples (windows) per shard, >= 1")
  @Default.Integer(100)
  int getShardSize();

  void setShardSize(int value);

  @Description("Training job spec (YAML or JSON) handed to training after the run")
  String getTrainingConfig();

  void setTrainingConfig(String value);

  @Description("The seed's name for --training-config (a SageMaker job spec)")
  String getSagemakerConfig();

  void setSagemakerConfig(String value);

  @Description(
      "Session start (ISO-8601 instant, e.g. 2024-05-01T12:00:00Z): time zero of every stream;"
          + " default: now")
  String getSessionStart();

  void setSessionStart(String value);

  @Description(
      "NWB session metadata file (YAML or JSON): subject {species, sex, age, description},"
          + " experimenter, institution, experiment_description, keywords; flags override it")
  String getSessionConfig();

  void setSessionConfig(String value);

  @Description("NWB subject species (Latin binomial); default: Homo sapiens")
  String getSpecies();

  void setSpecies(String value);

  @Description("NWB subject sex: F, M, U (unknown) or O (other); default: U")
  String getSex();

  void setSex(String value);

  @Description(
      "NWB subject age, ISO 8601 duration (P34Y, P90D) or range (P10W/P12W, P18Y/); default:"
          + " P18Y/")
  String getAge();

  void setAge(String value);

  @Description("NWB subject description; default: says the subject is synthetic")
  String getSubjectDescription();

  void setSubjectDescription(String value);

  @Description(
      "NWB experimenter(s), ';'-separated, e.g. \"Doe, Jane; Roe, John\"; default: the pipeline")
  String getExperimenter();

  void setExperimenter(String value);

  @Description("NWB institution; default: none (synthetic session)")
  String getInstitution();

  void setInstitution(String value);

  @Description("NWB experiment description; default: derived from the run")
  String getExperimentDescription();

  void setExperimentDescription(String value);

  @Description("NWB keywords, ','-separated; default: synthetic, multimodal and the modalities")
  String getKeywords();

  void setKeywords(String value);

  /** Re-declared so that the command line lists it as one of this pipeline's flags. */
  @Override
  @Description(
      "Streaming mode: real-time ingest, event-time windows of --window-seconds, per-window"
          + " outputs (WebDataset sample, Parquet rows, sync_windows/window-<w>.jsonl); NWB/Zarr"
          + " are batch-only; --duration bounds the run")
  boolean isStreaming();

  @Override
  void setStreaming(boolean value);
}

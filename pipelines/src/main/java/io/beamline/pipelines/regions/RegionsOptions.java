package io.beamline.pipelines.regions;

import io.beamline.framework.BeamlineOptions;
import io.beamline.transforms.nmm.JansenRitSimulator;
import io.beamline.transforms.nmm.RegionConnectivity;
import io.beamline.transforms.nmm.SpikeClips;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@code beamline regions}: flags only. {@link RegionsPipeline#validate} checks them and
 * {@link RegionsConfigs#resolve} turns them, once, into the modules' configs.
 */
public interface RegionsOptions extends BeamlineOptions {
  @Description("First region to process, 0-based, inclusive")
  @Validation.Required
  Integer getStartRegion();

  void setStartRegion(Integer value);

  @Description("Region to stop before, 0-based, exclusive (start 0, end 10 = regions 0..9)")
  @Validation.Required
  Integer getEndRegion();

  void setEndRegion(Integer value);

  @Description("Name of the spike folder: clips go to nmm_<filename>/ (letters, digits, _ and -)")
  @Default.String("spikes")
  String getFilename();

  void setFilename(String value);

  @Description(
      "Leadfield MAT file (v5 or v7.3), channels x regions, e.g. DeepSIF's"
          + " leadfield_75_20k.mat: a path, or a file name looked up in the anatomy folder (see"
          + " --anatomy-dir); alone, its connectivity is connectivity_<regions>.zip beside it."
          + " Default: none, a synthetic anatomy")
  String getLeadfield();

  void setLeadfield(String value);

  @Description(
      "Folder of the anatomy files named by file name (--leadfield, --connectivity,"
          + " --distances, --region-mapping); default: the first of ., ./anatomy, ../anatomy"
          + " (the seed's layout) and <output-dir>/../anatomy that holds the file")
  String getAnatomyDir();

  void setAnatomyDir(String value);

  @Description("Variable holding the leadfield")
  @Default.String("fwd")
  String getLeadfieldVariable();

  void setLeadfieldVariable(String value);

  @Description(
      "TVB connectivity zip (weights.txt, tract_lengths.txt, centres.txt): a path or a file"
          + " name in the anatomy folder; default with --leadfield: connectivity_<regions>.zip")
  String getConnectivity();

  void setConnectivity(String value);

  @Description(
      "Region distance matrix MAT file (regions x regions, mm); default: distances between the"
          + " connectivity's centres")
  String getDistances();

  void setDistances(String value);

  @Description("Variable holding the distance matrix; default: the file's only variable")
  String getDistancesVariable();

  void setDistancesVariable(String value);

  @Description("Vertex-to-region mapping MAT file (checked against the connectivity)")
  String getRegionMapping();

  void setRegionMapping(String value);

  @Description("Variable holding the region mapping; default: the file's only variable")
  String getRegionMappingVariable();

  void setRegionMappingVariable(String value);

  @Description("Index of the first region in the region mapping file: 0 (TVB) or 1 (MATLAB)")
  @Default.Integer(0)
  int getRegionMappingFirstIndex();

  void setRegionMappingFirstIndex(int value);

  @Description("Regions of the synthetic anatomy used when no anatomy files are given, >= 2")
  @Default.Integer(76) // TVB's 76-region connectivity
  int getSyntheticRegions();

  void setSyntheticRegions(int value);

  @Description("Channels of the synthetic anatomy's leadfield, >= 1")
  @Default.Integer(75) // DeepSIF's 75 channels
  int getSyntheticChannels();

  void setSyntheticChannels(int value);

  @Description("Simulated length of one segment in ms (DeepSIF's siml)")
  @Default.Double(10_000)
  double getSegmentMs();

  void setSegmentMs(double value);

  @Description("Segments per iteration, simulated as one continuous run (DeepSIF: 20)")
  @Default.Integer(20)
  int getSegments();

  void setSegments(int value);

  @Description(
      "DeepSIF's mean_and_std iterations to simulate, each 0..2 (mu 0.087/0.08/0.083 with noise"
          + " std 1/1.7/1.5): a list like 0,1,2 or a range like 0:2 (DeepSIF's iter_list)")
  @Default.String("0:2")
  String getIterations();

  void setIterations(String value);

  @Description("Integration step in ms; the simulator's output rate is 1/dt (DeepSIF: 0.5)")
  @Default.Double(JansenRitSimulator.DEFAULT_DT_MS)
  double getDtMs();

  void setDtMs(double value);

  @Description("Excitatory gain A of the simulated (spiking) region in mV (DeepSIF: 3.5)")
  @Default.Double(3.5)
  double getSourceA();

  void setSourceA(double value);

  @Description("Global coupling strength a of SigmoidalJansenRit (DeepSIF: 1.0)")
  @Default.Double(1.0)
  double getCouplingA();

  void setCouplingA(double value);

  @Description("Conduction speed in mm/ms for the delays (TVB default 3.0)")
  @Default.Double(RegionConnectivity.TVB_DEFAULT_SPEED_MM_PER_MS)
  double getConductionSpeed();

  void setConductionSpeed(double value);

  @Description("Sensor-space SNR in dB the spikes are scaled to (DeepSIF's target_SNR)")
  @Default.Double(SpikeClips.DEEPSIF_TARGET_SNR_DB)
  double getTargetSnr();

  void setTargetSnr(double value);

  @Description("Random seed of the simulation noise and of the synthetic anatomy")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description(
      "After the regions, build DeepSIF's synthetic source table (generate_sythetic_source)"
          + " over every region with clips on disk: <mode>_sample_source1.mat + Parquet")
  @Default.Boolean(false)
  boolean getSyntheticSources();

  void setSyntheticSources(boolean value);

  @Description(
      "Preset of the synthetic sources: test (nper 10, 3 variations per centre) or train (nper"
          + " 100, 48 variations)")
  @Default.String("test")
  String getSourcesMode();

  void setSourcesMode(String value);

  @Description("Sources per synthetic sample (DeepSIF: 2)")
  @Default.Integer(2)
  int getSourcesPerSample();

  void setSourcesPerSample(int value);

  @Description(
      "DeepSIF's nper: spike clips a synthetic source draws from per region; default: the"
          + " --sources-mode preset (test 10, train 100)")
  Integer getNper();

  void setNper(Integer value);

  @Description(
      "DeepSIF's n_iter: variations per centre region in the synthetic source table; default:"
          + " the --sources-mode preset (test 3, train 48)")
  Integer getnIter();

  void setnIter(Integer value);

  @Description(
      "DeepSIF's n_data: noisy EEG samples mixed per source-table row with --mix-eeg, each with"
          + " its own scale level and noise (DeepSIF's script declares n_data but does not use"
          + " it)")
  @Default.Integer(1)
  int getnData();

  void setnData(int value);

  @Description(
      "Mix the synthetic sources into sensor EEG as DeepSIF's loader does (clips on their"
          + " patches, leadfield projection, white noise at each row's SNR):"
          + " <mode>_sample_source1_eeg/eeg_<part>.mat + sensor_eeg Parquet; implies"
          + " --synthetic-sources")
  @Default.Boolean(false)
  boolean getMixEeg();

  void setMixEeg(boolean value);

  @Description("EEG samples per eeg_<part>.mat file with --mix-eeg, >= 1")
  @Default.Integer(100)
  int getEegSamplesPerFile();

  void setEegSamplesPerFile(int value);

  @Description("Neighbours per region (nearest centres) for growing source patches")
  @Default.Integer(6)
  int getPatchNeighbours();

  void setPatchNeighbours(int value);

  @Description(
      "Also keep the raw 2 kHz traces in raw_nmm/a<r>/ (large; for debugging; the seed deletes"
          + " them after each region)")
  @Default.Boolean(false)
  boolean getKeepRaw();

  void setKeepRaw(boolean value);
}

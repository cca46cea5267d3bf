package io.beamline.pipelines.regions;

import io.beamline.framework.UserInputException;
import io.beamline.framework.run.ItemConfig;
import io.beamline.transforms.nmm.SyntheticSources;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * The configs of a regions run's modules, resolved once from validated options: the anatomy is
 * loaded (or generated) here, in the driver, and every module gets explicit values.
 *
 * @param range the region ids
 * @param simulate simulation and spike extraction per region
 * @param tables the tables derived after the regions
 * @param sources the synthetic source table, with {@code --synthetic-sources} or {@code --mix-eeg}
 * @param mixEeg the mixed sensor EEG, with {@code --mix-eeg}
 */
record RegionsConfigs(
    RegionRange.Config range,
    SimulateRegions.Config simulate,
    DeriveTables.Config tables,
    Optional<BuildSyntheticSources.Config> sources,
    Optional<MixEeg.Config> mixEeg) {

  /** Resolves validated options ({@link RegionsPipeline#validate}) for run {@code runId}. */
  static RegionsConfigs resolve(RegionsOptions o, String runId) {
    RegionSettings settings = settings(o);
    Optional<BuildSyntheticSources.Config> sources = Optional.empty();
    Optional<MixEeg.Config> mix = Optional.empty();
    if (o.getSyntheticSources() || o.getMixEeg()) {
      SyntheticSources.Mode mode = mode(o.getSourcesMode());
      sources =
          Optional.of(
              new BuildSyntheticSources.Config(
                  settings,
                  runId,
                  mode,
                  o.getNper() != null ? o.getNper() : mode.nper(),
                  o.getnIter() != null ? o.getnIter() : mode.variations(),
                  o.getSourcesPerSample(),
                  o.getPatchNeighbours(),
                  o.getMixEeg(),
                  o.getEegSamplesPerFile(),
                  o.getnData()));
      if (o.getMixEeg()) {
        mix = Optional.of(new MixEeg.Config(settings, runId, mode, o.getnData()));
      }
    }
    RegionRange.Config range = new RegionRange.Config(o.getStartRegion(), o.getEndRegion());
    return new RegionsConfigs(
        range,
        new SimulateRegions.Config(settings, runId, range, UUID.randomUUID().toString()),
        new DeriveTables.Config(settings, runId, range),
        sources,
        mix);
  }

  /** The run's anatomy (loaded once, {@link RegionsAnatomy}), simulation and output settings. */
  static RegionSettings settings(RegionsOptions o) {
    RegionAnatomy anatomy = RegionAnatomy.of(RegionsAnatomy.load(o, RegionsAnatomy.resolve(o)));
    SimulationConfig simulation =
        new SimulationConfig(
            o.getConductionSpeed(),
            o.getCouplingA(),
            o.getDtMs(),
            o.getSegmentMs(),
            o.getSegments(),
            iterations(o.getIterations()),
            o.getSourceA(),
            o.getTargetSnr(),
            o.getSeed(),
            o.getKeepRaw());
    Path root = RegionsPipeline.outputDir(o);
    return new RegionSettings(
        anatomy,
        simulation,
        new RegionsOutput(root.toString(), o.getFilename(), ItemConfig.from(o)));
  }

  /** {@code --sources-mode}: train or test. */
  static SyntheticSources.Mode mode(String value) {
    if ("train".equals(value)) {
      return SyntheticSources.Mode.TRAIN;
    }
    if ("test".equals(value)) {
      return SyntheticSources.Mode.TEST;
    }
    throw new UserInputException("--sources-mode must be train or test, got '" + value + "'");
  }

  /**
   * DeepSIF's iteration list: {@code a:b} (inclusive, as MATLAB) or a comma-separated list, each in
   * 0..2, no repeats.
   */
  static int[] iterations(String spec) {
    String s = spec == null ? "" : spec.strip();
    int[] out;
    try {
      if (s.matches("\\d+:\\d+")) {
        String[] ab = s.split(":");
        out = IntStream.rangeClosed(Integer.parseInt(ab[0]), Integer.parseInt(ab[1])).toArray();
      } else {
        out =
            java.util.Arrays.stream(s.split(","))
                .map(String::strip)
                .mapToInt(Integer::parseInt)
                .toArray();
      }
    } catch (NumberFormatException e) {
      out = new int[0];
    }
    if (out.length == 0
        || IntStream.of(out).anyMatch(m -> m < 0 || m > 2)
        || IntStream.of(out).distinct().count() != out.length) {
      throw new UserInputException(
          "--iterations must be distinct values in 0..2 as a list (0,1,2) or range (0:2), got '"
              + spec
              + "'");
    }
    return out;
  }
}

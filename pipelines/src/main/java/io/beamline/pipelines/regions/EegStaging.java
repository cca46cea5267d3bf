package io.beamline.pipelines.regions;

import io.beamline.io.files.AtomicFiles;
import io.beamline.transforms.nmm.SyntheticSources;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The final folders of the EEG item and the run's staging folders the parts are mixed into. The
 * staging names are temporary ones ({@link AtomicFiles#isTemporary}) derived from the run id, so
 * every worker of a run agrees on them and a killed run's are removed by the next run.
 *
 * @param eegDir {@code <mode>_sample_source1_eeg/}
 * @param tableDir {@code sensor_eeg/<mode>/}
 * @param eegStaging where the parts' {@code eeg_<part>.mat} are mixed
 * @param tableStaging where the parts' {@code part-<part>.parquet} are mixed
 */
record EegStaging(String eegDir, String tableDir, String eegStaging, String tableStaging)
    implements Serializable {

  static EegStaging of(Path root, SyntheticSources.Mode mode, String runId) {
    Path eeg = root.resolve(RegionsOutput.eegKey(mode));
    Path table = root.resolve("sensor_eeg").resolve(RegionsOutput.modeName(mode));
    return new EegStaging(
        eeg.toString(),
        table.toString(),
        staged(eeg, runId).toString(),
        staged(table, runId).toString());
  }

  private static Path staged(Path target, String runId) {
    String id =
        UUID.nameUUIDFromBytes((runId + "/" + target).getBytes(StandardCharsets.UTF_8)).toString();
    return target.resolveSibling("." + target.getFileName() + "." + id + AtomicFiles.TEMP_SUFFIX);
  }
}

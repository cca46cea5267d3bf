package io.beamline.pipelines.regions;

import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.ItemConfig;
import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Where a regions run writes: the output directory (DeepSIF's {@code source/} folder) and the names
 * of its files in it.
 *
 * <pre>
 * nmm_&lt;f&gt;/a&lt;r&gt;/nmm_&lt;k&gt;.mat                    data: 500 x N single (time x region), k = 1, 2, ...
 * nmm_&lt;f&gt;/clip_info/iter&lt;m&gt;/iter_&lt;m&gt;_i_&lt;r&gt;.mat  num_spike (cumulative), spike_time (1 x n, 1-based), alpha
 * raw_nmm/a&lt;r&gt;/mean_iter_&lt;m&gt;_a_iter_&lt;r&gt;_&lt;s&gt;.mat  only with --keep-raw: time, data, A
 * &lt;mode&gt;_sample_source1.mat                     the synthetic source table
 * &lt;mode&gt;_sample_source1_eeg/eeg_&lt;part&gt;.mat       the mixed EEG
 * </pre>
 *
 * @param root the absolute output directory
 * @param filename DeepSIF's {@code filename}: spikes go to {@code nmm_<filename>/}, letters,
 *     digits, _ and -
 */
record RegionsOutput(String root, String filename, ItemConfig itemConfig) implements Serializable {

  RegionsOutput {
    if (!(root != null && Paths.get(root).isAbsolute())) {
      throw new IllegalArgumentException("root must be an absolute path, got " + root);
    }
    if (!(filename != null && filename.matches("[A-Za-z0-9_-]+"))) {
      throw new IllegalArgumentException(
          "filename must be letters, digits, _ or -, got " + filename);
    }
  }

  /** The region commits under the root, stamped with the run's item config (null: none). */
  ItemCommits commits() {
    return ItemCommits.of(rootDir(), RegionsPipeline.NAME, itemConfig);
  }

  Path rootDir() {
    return Paths.get(root);
  }

  /** DeepSIF's spike folder, {@code nmm_<filename>}. */
  String spikeFolder() {
    return "nmm_" + filename;
  }

  Path spikesDir() {
    return Paths.get(root, spikeFolder());
  }

  Path regionDir(int region) {
    return spikesDir().resolve("a" + region);
  }

  Path clipInfo(int iteration, int region) {
    return spikesDir()
        .resolve("clip_info")
        .resolve("iter" + iteration)
        .resolve("iter_" + iteration + "_i_" + region + ".mat");
  }

  Path clipFile(int region, int k) {
    return regionDir(region).resolve("nmm_" + k + ".mat");
  }

  Path rawDir(int region) {
    return Paths.get(root, "raw_nmm", "a" + region);
  }

  /** {@code test} or {@code train}. */
  static String modeName(io.beamline.transforms.nmm.SyntheticSources.Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }

  /** {@code test_sample_source1} or {@code train_sample_source1}: the item key and file stem. */
  static String sourcesKey(io.beamline.transforms.nmm.SyntheticSources.Mode mode) {
    return modeName(mode) + "_sample_source1";
  }

  /** {@code <mode>_sample_source1_eeg}: the item key and the folder of the EEG files. */
  static String eegKey(io.beamline.transforms.nmm.SyntheticSources.Mode mode) {
    return sourcesKey(mode) + "_eeg";
  }
}

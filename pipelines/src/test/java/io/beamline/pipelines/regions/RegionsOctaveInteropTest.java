package io.beamline.pipelines.regions;

import static io.beamline.pipelines.regions.RegionsTestData.REGIONS;
import static io.beamline.pipelines.regions.RegionsTestData.args;
import static io.beamline.pipelines.regions.RegionsTestData.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.testing.Interop;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Octave {@code load}s the produced DeepSIF files and sees DeepSIF's names, classes and sizes. */
class RegionsOctaveInteropTest {
  @TempDir Path dir;

  @Test
  void octaveLoadsClipsAndClipInfo() throws Exception {
    List<String> a = args(dir, 0, 1, "--iterations=0");
    RegionsOptions o = options(a);
    new RegionsPipeline().validate(o);
    Pipeline p = Pipeline.create(o);
    new RegionsPipeline().build(p, o);
    p.run().waitUntilFinish();

    Path spikes = dir.resolve("nmm_spikes");
    Path clip = spikes.resolve("a0/nmm_1.mat");
    Path info = spikes.resolve("clip_info/iter0/iter_0_i_0.mat");
    MatMatrix data = MatReader.readMatrix(clip, "data");
    double sum = 0;
    for (double v : data.toArray()) {
      sum += v;
    }
    int spikeCount = (int) MatReader.readMatrix(info, "num_spike").getFlat(0);
    assertThat(spikeCount, greaterThan(0));
    String script =
        String.format(
            Locale.ROOT,
            "d = load('%s'); c = load('%s');"
                + " printf('%%s|%%s|%%d %%d|%%.6f\\n', strjoin(fieldnames(d)', ','), class(d.data),"
                + " size(d.data, 1), size(d.data, 2), sum(double(d.data(:))));"
                + " printf('%%s|%%d|%%d %%d|%%d\\n', strjoin(sort(fieldnames(c))', ','),"
                + " c.num_spike, size(c.spike_time, 1), size(c.spike_time, 2),"
                + " all(mod(c.spike_time, 1) == 0));",
            clip,
            info);
    String[] lines = Interop.octave(script).assertSuccess("octave").stdout().strip().split("\n");
    assertEquals(
        String.format(Locale.ROOT, "data|single|500 %d|%.6f", REGIONS, sum), lines[0].strip());
    assertEquals(
        String.format(Locale.ROOT, "alpha,num_spike,spike_time|%d|1 %d|1", spikeCount, spikeCount),
        lines[1].strip());
  }

  @Test
  void octaveLoadsTheSyntheticSourceTable() throws Exception {
    List<String> a = args(dir, 0, REGIONS, "--iterations=0", "--syntheticSources=true");
    RegionsOptions o = options(a);
    new RegionsPipeline().validate(o);
    Pipeline p = Pipeline.create(o);
    new RegionsPipeline().build(p, o);
    p.run().waitUntilFinish();

    Path file = dir.resolve("test_sample_source1.mat");
    int rows = MatReader.readMatrix(file, "current_snr").rows();
    String script =
        String.format(
            Locale.ROOT,
            "s = load('%s'); printf('%%s\\n', strjoin(sort(fieldnames(s))', ','));"
                + " printf('%%d %%d %%d|%%d %%d|%%d %%d %%d|%%d\\n', size(s.selected_region),"
                + " size(s.nmm_idx), size(s.mag_change), sum(s.selected_region(:) == 15213) > 0);",
            file);
    String[] lines = Interop.octave(script).assertSuccess("octave").stdout().strip().split("\n");
    assertEquals(
        "current_snr,mag_change,nmm_idx,random_samples,scale_ratio,selected_region",
        lines[0].strip());
    assertEquals(
        String.format(Locale.ROOT, "%d 2 70|%d 2|%d 2 70|1", rows, rows, rows), lines[1].strip());
  }

  @Test
  void octaveLoadsTheMixedEeg() throws Exception {
    List<String> a =
        args(
            dir,
            0,
            12,
            "--syntheticRegions=12",
            "--patchNeighbours=2",
            "--iterations=0",
            "--mixEeg=true",
            "--eegSamplesPerFile=5");
    RegionsOptions o = options(a);
    new RegionsPipeline().validate(o);
    Pipeline p = Pipeline.create(o);
    new RegionsPipeline().build(p, o);
    p.run().waitUntilFinish();

    Path file = dir.resolve("test_sample_source1_eeg/eeg_0.mat");
    MatMatrix eeg = MatReader.readMatrix(file, "eeg_data");
    double sum = 0;
    for (double v : eeg.toArray()) {
      sum += v;
    }
    double snr = MatReader.readMatrix(file, "current_snr").getFlat(1);
    String script =
        String.format(
            Locale.ROOT,
            "s = load('%s'); printf('%%s\\n', strjoin(sort(fieldnames(s))', ','));"
                + " printf('%%s|%%d %%d %%d|%%d %%d|%%d %%d %%d|%%.4f|%%.4g\\n', class(s.eeg_data),"
                + " size(s.eeg_data), size(s.scale_index), size(s.selected_region),"
                + " s.current_snr(2), sum(double(s.eeg_data(:))));",
            file);
    String[] lines = Interop.octave(script).assertSuccess("octave").stdout().strip().split("\n");
    assertEquals(
        "achieved_snr,current_snr,eeg_data,realisation,sample_index,scale_index,selected_region",
        lines[0].strip());
    assertEquals(
        String.format(
            Locale.ROOT,
            "single|5 %d 500|5 2|5 2 70|%.4f|%.4g",
            RegionsTestData.CHANNELS,
            snr,
            sum),
        lines[1].strip());
  }
}

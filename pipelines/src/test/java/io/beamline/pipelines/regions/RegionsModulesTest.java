package io.beamline.pipelines.regions;

import static io.beamline.pipelines.regions.RegionsTestData.CHANNELS;
import static io.beamline.pipelines.regions.RegionsTestData.REGIONS;
import static io.beamline.pipelines.regions.RegionsTestData.args;
import static io.beamline.pipelines.regions.RegionsTestData.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamline.framework.module.Module;
import io.beamline.transforms.nmm.SyntheticSources;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The regions pipeline's modules: configs resolved from options, names, ports and settings. */
public class RegionsModulesTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static Map<String, String> display(Module<?, ?, ?> m) {
    Map<String, String> out = new HashMap<>();
    for (DisplayData.Item i : DisplayData.from(m).items()) {
      out.put(i.getKey(), String.valueOf(i.getValue()));
    }
    return out;
  }

  @Test
  public void optionsResolveOnceIntoTheModulesConfigs() {
    Path out = tmp.getRoot().toPath();
    RegionsOptions o =
        options(args(out, 1, 4, "--mixEeg=true", "--nper=4", "--dtMs=0.25", "--nData=3"));
    RegionsConfigs c = RegionsConfigs.resolve(o, "run-1");

    assertEquals(new RegionRange.Config(1, 4), c.range());
    // One settings object for every module: the anatomy is loaded once.
    assertTrue(c.simulate().settings() == c.tables().settings());
    assertTrue(c.simulate().settings() == c.sources().orElseThrow().settings());
    assertTrue(c.simulate().settings() == c.mixEeg().orElseThrow().settings());
    BuildSyntheticSources.Config sources = c.sources().orElseThrow();
    assertEquals(4, sources.nper());
    assertEquals(SyntheticSources.Mode.TEST.variations(), sources.variations());
    assertTrue(sources.mixEeg());
    assertEquals(3, c.mixEeg().orElseThrow().nData());

    Map<String, String> simulate = display(Module.from(c.simulate()));
    assertEquals("simulate-regions", simulate.get("module"));
    assertEquals("regions: Integer", simulate.get("inputs"));
    assertEquals("ended: RegionsEnded", simulate.get("outputs"));
    assertEquals("0.25", simulate.get("settings.simulation.dtMs"));
    assertEquals("[0, 1]", simulate.get("settings.simulation.iterations"));
    assertEquals("1", simulate.get("range.start"));
    assertEquals("spikes", simulate.get("settings.output.filename"));
    // The anatomy shows as its size and digest, never as its arrays.
    assertThat(
        simulate.get("settings.anatomy"),
        startsWith(REGIONS + " regions, " + CHANNELS + " channels, sha256 "));

    Map<String, String> mix = display(Module.from(c.mixEeg().orElseThrow()));
    assertEquals("rows: KV<Integer, SourceRow>, plan: EegEvent", mix.get("inputs"));
    assertEquals("none", mix.get("outputs"));
    assertEquals(
        List.of("rows", "plan"),
        Module.from(sources).outputs().stream().map(p -> p.name()).toList());
  }

  @Test
  public void withoutSyntheticSourcesOnlyTheRegionModulesAreConfigured() {
    RegionsConfigs c = RegionsConfigs.resolve(options(args(tmp.getRoot().toPath(), 0, 2)), "r");
    assertFalse(c.sources().isPresent());
    assertFalse(c.mixEeg().isPresent());
  }

  @Test
  public void configsRefuseValuesOutOfRangeNamingThem() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> new RegionRange.Config(3, 3))
            .getMessage(),
        containsString("end > start, got start 3 and end 3"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> new SimulationConfig(3, 1, 0, 1000, 2, new int[] {0}, 3.5, 15, 1, false))
            .getMessage(),
        containsString("dtMs must be finite and > 0, got 0.0"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> new SimulationConfig(3, 1, 0.5, 1000, 2, new int[] {0, 0}, 3.5, 15, 1, false))
            .getMessage(),
        containsString("iterations must be distinct values in 0..2, got [0, 0]"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> new RegionsOutput("relative", "spikes", null))
            .getMessage(),
        containsString("root must be an absolute path"));
    RegionSettings settings = RegionsConfigs.settings(options(args(tmp.getRoot().toPath(), 0, 2)));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new BuildSyntheticSources.Config(
                        settings, "r", SyntheticSources.Mode.TEST, 10, 3, 2, 6, false, 0, 1))
            .getMessage(),
        containsString("samplesPerFile must be >= 1, got 0"));
  }

  @Test
  public void theFingerprintIsThatOfTheSettingsNotOfTheirObjects() {
    Path out = tmp.getRoot().toPath();
    RegionSettings a = RegionsConfigs.settings(options(args(out, 0, 2)));
    RegionSettings b = RegionsConfigs.settings(options(args(out, 3, 5)));
    RegionSettings c = RegionsConfigs.settings(options(args(out, 0, 2, "--sourceA=3.7")));
    assertEquals(a.fingerprint(), b.fingerprint());
    assertFalse(a.fingerprint().equals(c.fingerprint()));
  }
}

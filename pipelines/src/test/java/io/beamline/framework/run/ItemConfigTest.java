package io.beamline.framework.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beamline.pipelines.demo.DemoPipeline;
import io.beamline.pipelines.demo.DemoPipeline.DemoOptions;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemConfigTest {
  @TempDir Path dir;

  private static ItemConfig of(String... args) {
    DemoOptions o = PipelineOptionsFactory.fromArgs(args).as(DemoOptions.class);
    DemoPipeline demo = new DemoPipeline();
    return ItemConfig.of(demo, EffectiveConfig.of(demo, o));
  }

  @Test
  void aModuleParameterChangesItsModulesHashAndThoseAfterItOnly() {
    ItemConfig base = of();
    ItemConfig window = of("--windowSeconds=2");
    // demo's modules: synthetic-samples, summarise-windows, write-window-stats.
    assertEquals(base.hashes().get("synthetic-samples"), window.hashes().get("synthetic-samples"));
    assertNotEquals(
        base.hashes().get("summarise-windows"), window.hashes().get("summarise-windows"));
    assertNotEquals(
        base.hashes().get("write-window-stats"), window.hashes().get("write-window-stats"));
    assertEquals(window.hashes().get("write-window-stats"), window.hashes().get(ItemConfig.ANY));
    ItemConfig seed = of("--seed=7");
    assertNotEquals(base.hashes().get("synthetic-samples"), seed.hashes().get("synthetic-samples"));
  }

  @Test
  void optionsAndTheWorkspaceChangeNoHash() {
    assertEquals(
        of().hashes(),
        of("--outputDir=elsewhere", "--targetParallelism=1", "--metricsHost=0.0.0.0").hashes());
  }

  @Test
  void anInputChangesEveryHash() {
    ItemConfig base = of();
    ItemConfig csv = of("--input=samples.csv");
    for (String m : base.hashes().keySet()) {
      assertNotEquals(base.hashes().get(m), csv.hashes().get(m), m);
    }
  }

  @Test
  void itTravelsInTheOptionsAndStampsCommitRecords() throws Exception {
    DemoOptions o = PipelineOptionsFactory.as(DemoOptions.class);
    assertNull(ItemConfig.from(o), "no item config outside a run");
    ItemConfig c = of("--seed=3");
    c.into(o);
    assertEquals(c, ItemConfig.from(o));
    ItemCommits commits = ItemCommits.of(dir, "demo", o);
    CommitRecord r = commits.begin("x").commit("run-1");
    assertEquals(c.hashOf("x"), r.configHash());
    assertEquals(r, commits.committed("x").orElseThrow());
    ItemConfig other = of("--seed=4");
    DemoOptions o2 = PipelineOptionsFactory.as(DemoOptions.class);
    other.into(o2);
    assertEquals(
        java.util.Optional.empty(),
        ItemCommits.of(dir, "demo", o2).committed("x"),
        "an item committed under another config hash is redone");
    // Outside a run (no item config) the record counts.
    assertEquals(r, ItemCommits.of(dir, "demo").committed("x").orElseThrow());
  }
}

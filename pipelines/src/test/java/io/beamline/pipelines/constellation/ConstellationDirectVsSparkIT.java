package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.files;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code constellation} on the DirectRunner and on the SparkRunner ({@code local[2]}), each run
 * starting its own embedded broker (the default), with fault injection: the sync report, the video
 * image and the WebDataset shards must be byte-identical, the NWB series the same values, and the
 * Parquet tables the same rows.
 */
class ConstellationDirectVsSparkIT {
  @TempDir Path dir;

  private Path run(String runner) {
    Path out = dir.resolve(runner);
    List<String> a =
        args(
            out,
            "--duration=1",
            "--faultInjection",
            "--seed=5",
            "--windowSeconds=0.25",
            "--shardSize=2",
            "--runner=" + runner,
            "--sparkMaster=local[2]");
    RunRecord r = Runs.run(new ConstellationPipeline(), options(a), a);
    assertEquals("succeeded", r.status(), "run on " + runner + ": " + r.error());
    return out;
  }

  @Test
  void directAndSparkWriteTheSameOutputs() throws Exception {
    Path direct = run("DirectRunner");
    Path spark = run("SparkRunner");
    Path rawD = direct.resolve("raw/S1/A");
    Path rawS = spark.resolve("raw/S1/A");

    assertArrayEquals(
        Files.readAllBytes(rawD.resolve("sync_report.json")),
        Files.readAllBytes(rawS.resolve("sync_report.json")));
    for (Path sub : List.of(Path.of("raw/S1/A/S1_A_video.zarr"), Path.of("gold/S1/A"))) {
      List<String> names = files(direct.resolve(sub));
      assertEquals(names, files(spark.resolve(sub)), sub.toString());
      assertTrue(!names.isEmpty(), sub + " is empty");
      for (String f : names) {
        assertArrayEquals(
            Files.readAllBytes(direct.resolve(sub).resolve(f)),
            Files.readAllBytes(spark.resolve(sub).resolve(f)),
            sub + "/" + f);
      }
    }
    assertEquals(
        List.of("shard-000000.tar", "shard-000001.tar"), files(direct.resolve("gold/S1/A")));

    try (HdfFile a = new HdfFile(rawD.resolve("S1_A.nwb"));
        HdfFile b = new HdfFile(rawS.resolve("S1_A.nwb"))) {
      Group acqA = (Group) a.getChild("acquisition");
      Group acqB = (Group) b.getChild("acquisition");
      assertEquals(acqA.getChildren().keySet(), acqB.getChildren().keySet());
      assertEquals(7, acqA.getChildren().size());
      for (Node series : acqA.getChildren().values()) {
        String path = "acquisition/" + series.getName() + "/data";
        float[][] x = (float[][]) ((Dataset) a.getByPath(path)).getData();
        float[][] y = (float[][]) ((Dataset) b.getByPath(path)).getData();
        assertEquals(x.length, y.length, path);
        for (int i = 0; i < x.length; i++) {
          assertArrayEquals(x[i], y[i], path + " row " + i);
        }
      }
    }

    try (DuckDb db = DuckDb.inMemory()) {
      String a = "read_parquet(" + DuckDb.literal(rawD.resolve("timeseries") + "/*.parquet") + ")";
      String b = "read_parquet(" + DuckDb.literal(rawS.resolve("timeseries") + "/*.parquet") + ")";
      long rows = db.count("SELECT * FROM " + a);
      assertTrue(rows > 16000, "rows " + rows);
      assertEquals(rows, db.count("SELECT * FROM " + b));
      assertEquals(0, db.count("SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b));
      assertEquals(0, db.count("SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a));
    }
  }
}

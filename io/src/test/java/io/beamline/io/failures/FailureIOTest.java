package io.beamline.io.failures;

import static org.junit.Assert.assertEquals;

import io.beamline.io.duckdb.DuckDb;
import java.util.List;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class FailureIOTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void writesJsonLinesThatDuckDbReads() throws Exception {
    String dir = tmp.getRoot().getAbsolutePath() + "/failures";
    p.apply(
            Create.of(
                new Failure("a.csv", "line 3", "Parse", "bad \"quote\", and comma"),
                new Failure("b.wav", "chunk 7", "Decode", "truncated: 10 of 44 header bytes")))
        .apply(FailureIO.write().to(dir));
    p.run().waitUntilFinish();
    try (DuckDb db = DuckDb.inMemory()) {
      List<List<Object>> rows =
          db.rows(
              "SELECT source, item, step, error FROM read_json_auto("
                  + DuckDb.literal(dir + "/failures-*.jsonl")
                  + ") ORDER BY source");
      assertEquals(List.of("a.csv", "line 3", "Parse", "bad \"quote\", and comma"), rows.get(0));
      assertEquals(
          List.of("b.wav", "chunk 7", "Decode", "truncated: 10 of 44 header bytes"), rows.get(1));
    }
  }
}

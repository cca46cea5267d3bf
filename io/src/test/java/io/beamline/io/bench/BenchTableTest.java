package io.beamline.io.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BenchTable} pools a row's rounds across steps, takes medians, ratio and peak RSS. */
class BenchTableTest {
  @TempDir Path dir;

  private void step(String name, String time, String exit, double[] subject, double[] baseline)
      throws Exception {
    Files.writeString(dir.resolve(name + ".cmd"), "bench/x.sh " + name + "\n");
    Files.writeString(dir.resolve(name + ".time"), time);
    Files.writeString(dir.resolve(name + ".exit"), exit + "\n");
    if (subject != null) {
      String old =
          System.setProperty(BenchRow.ROWS_PROPERTY, dir.resolve(name + ".rows").toString());
      try {
        BenchRow.emit("r", "a row", "mine", "theirs", "things/s", subject, baseline);
      } finally {
        if (old == null) {
          System.clearProperty(BenchRow.ROWS_PROPERTY);
        } else {
          System.setProperty(BenchRow.ROWS_PROPERTY, old);
        }
      }
    }
  }

  @Test
  void poolsRoundsOfOneRowAcrossStepsAndKeepsTheLargestPeakRss() throws Exception {
    step("01-a", "2048 1.50\n", "0", new double[] {10, 30}, new double[] {20, 20});
    step(
        "02-b",
        "Command exited with non-zero status 1\n4096 2.25\n",
        "1",
        new double[] {20},
        new double[] {40});
    step("03-c", "1024 0.10\n", "0", null, null);
    Path out = dir.resolve("out/run.json");
    Files.createDirectories(out.getParent());

    assertEquals(0, BenchTable.write(dir, out));

    JsonNode doc = Json.read(out);
    assertEquals(1, doc.get("rows").size());
    JsonNode row = doc.get("rows").get(0);
    assertEquals("[10.0,30.0,20.0]", row.get("subject_rounds").toString());
    assertEquals(20.0, row.get("subject_median").asDouble());
    assertEquals(20.0, row.get("baseline_median").asDouble());
    assertEquals(1.0, row.get("ratio").asDouble());
    assertEquals(4.0, row.get("peak_rss_mb").asDouble());
    assertEquals(List.of("01-a", "02-b"), Json.MAPPER.convertValue(row.get("steps"), List.class));
    assertEquals(3, doc.get("steps").size());
    assertEquals(1, doc.get("steps").get(1).get("exit").asInt());
    assertEquals(2.25, doc.get("steps").get(1).get("wall_s").asDouble());
  }

  @Test
  void aRowOverItsStatedPeakRssBoundIsCounted() throws Exception {
    step("01-a", "2048 1.50\n", "0", new double[] {10}, new double[] {20});
    Files.writeString(dir.resolve("01-a.bound"), "3\n");
    step("02-b", "4096 1.50\n", "0", new double[] {10}, new double[] {20});
    Files.writeString(dir.resolve("02-b.bound"), "5\n");
    Path out = dir.resolve("run.json");

    // Row r peaked at 4 MB (step b); its bound is the tighter of its steps', 3 MB: over.
    assertEquals(1, BenchTable.write(dir, out));
    JsonNode row = Json.read(out).get("rows").get(0);
    assertEquals(3, row.get("rss_bound_mb").asInt());
    assertEquals(false, row.get("within_rss_bound").asBoolean());

    Files.writeString(dir.resolve("01-a.bound"), "4\n");
    assertEquals(0, BenchTable.write(dir, out));
    assertEquals(true, Json.read(out).get("rows").get(0).get("within_rss_bound").asBoolean());
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(2.5, BenchRow.median(new double[] {4, 1, 3, 2}));
    assertEquals(3.0, BenchRow.median(new double[] {5, 3, 1}));
  }
}

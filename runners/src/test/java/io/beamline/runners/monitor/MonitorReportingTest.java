package io.beamline.runners.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.run.ItemCommits;
import io.beamline.runners.Beamline;
import io.beamline.runners.monitor.db.MonitorDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --monitor-url}: a pipeline run (regions, which commits per region) reports itself to a
 * real monitor, and its reported progress is what its commit records say; a monitor that is down
 * does not fail the run; a bad URL is refused before anything is written.
 */
class MonitorReportingTest {
  private static final String TOKEN = "reporting-test-token-0123456789";

  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result cli(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Beamline.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private List<String> regions(Path out, String runId, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "regions",
                "--start-region",
                "0",
                "--end-region",
                "2",
                "--segment-ms",
                "2500",
                "--segments",
                "1",
                "--iterations",
                "0",
                "--output-dir",
                out.toString(),
                "--run-id",
                runId));
    a.addAll(List.of(more));
    return a;
  }

  @Test
  void aRunReportsItsStatusItemsAndHeartbeats() throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Path out = dir.resolve("out");
    try (MonitorDatabase db =
            MonitorDatabase.open(MonitorDatabase.h2Url(dir.resolve("mon")), null, null);
        MonitorServer server =
            MonitorServer.start(db, "127.0.0.1", 0, TOKEN, Duration.ofMinutes(3), 30)) {
      String url = "http://127.0.0.1:" + server.port();
      Result r =
          cli(
              regions(
                  out,
                  "reported",
                  "--monitor-url",
                  url,
                  "--monitor-token-file",
                  tokenFile.toString()));
      assertEquals(0, r.code(), r.err());
      MonitorClient api = new MonitorClient(server.port(), null);
      JsonNode run = api.get("/api/pipeline-runs/reported").body();
      assertEquals("regions", run.get("pipeline").asText(), run.toString());
      assertEquals("succeeded", run.get("status").asText(), run.toString());
      int committed = ItemCommits.of(out, "regions").tally("reported").succeeded().size();
      assertEquals(2, committed);
      assertEquals(committed, run.get("items_succeeded").asInt(), run.toString());
      assertEquals(0, run.get("items_failed").asInt(), run.toString());
      assertTrue(run.get("finished").isTextual(), run.toString());
      JsonNode agents = api.get("/api/systemagents").body().get("results");
      assertEquals(1, agents.size(), agents.toString());
      assertEquals("regions", agents.get(0).get("agent_type").asText());
      assertEquals("EXITED", agents.get(0).get("operational_state").asText());
      assertFalse(
          Files.readString(out.resolve("runs/reported/config.yaml")).contains(TOKEN),
          "the token never reaches the run's files");
    }
  }

  @Test
  void aMonitorThatIsDownDoesNotFailTheRun() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path out = dir.resolve("down");
    Result r = cli(regions(out, "unmonitored", "--monitor-url", "http://127.0.0.1:" + port));
    assertEquals(0, r.code(), r.err());
    String log = Files.readString(out.resolve("runs/unmonitored/run.log"));
    assertTrue(log.contains("Reporting to the monitor failed"), log);
  }

  @Test
  void aBadUrlIsRefusedBeforeAnythingIsWritten() {
    Path out = dir.resolve("bad");
    Result r = cli(regions(out, "bad", "--monitor-url", "localhost:8765"));
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--monitor-url"), r.err());
    assertFalse(Files.exists(out.resolve("runs/bad")));
    Result t =
        cli(
            regions(
                out,
                "bad2",
                "--monitor-url",
                "http://127.0.0.1:1",
                "--monitor-token-file",
                dir.resolve("nope").toString()));
    assertEquals(2, t.code(), t.err());
    assertTrue(t.err().contains("--monitor-token-file"), t.err());
  }
}

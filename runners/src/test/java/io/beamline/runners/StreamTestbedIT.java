package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline stream testbed start|status|stop} from the packaged jar: the supervisor, the
 * embedded broker and the agents come up in the background, the daq's run lands in the buffer,
 * {@code status} sees it, {@code stop} leaves no process behind and keeps the outputs.
 */
class StreamTestbedIT {
  @TempDir Path dir;

  private ShadedJarIT.Proc beamline(String... args) throws Exception {
    // C1 only and the class-data archive, as the other ITs' runs; the supervisor and the agents
    // take them over.
    return ShadedJarIT.exec(dir, ShadedJarIT.jar(args));
  }

  private JsonNode state() throws Exception {
    return Json.MAPPER.readTree(dir.resolve("tb/testbed.json").toFile());
  }

  /** Every pid testbed.json names. */
  private List<Long> pids() throws Exception {
    List<Long> out = new ArrayList<>();
    JsonNode s = state();
    out.add(s.get("supervisor").get("pid").asLong());
    if (s.hasNonNull("broker")) {
      out.add(s.get("broker").get("pid").asLong());
    }
    for (JsonNode a : s.get("agents")) {
      out.add(a.get("pid").asLong());
    }
    return out;
  }

  @AfterEach
  void leaveNothingRunning() throws Exception {
    if (Files.exists(dir.resolve("tb/testbed.json"))) {
      for (long pid : pids()) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private JsonNode agent(String name) throws Exception {
    for (JsonNode a : state().get("agents")) {
      if (a.get("name").asText().equals(name)) {
        return a;
      }
    }
    return null;
  }

  private static int count(String url) throws Exception {
    JsonNode n = get(url);
    return n == null ? -1 : n.path("count").asInt(-1);
  }

  private static JsonNode get(String url) throws Exception {
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
  }

  /**
   * The acceptance test of the workflow: daq -> embedded broker -> process -> monitor, with half of
   * the STF announcements duplicated and half held back (out of order or after end_run), and the
   * process agent SIGKILLed mid-run (the supervisor starts it again, as supervisord would); every
   * STF of the run ends registered and processed exactly once, and the monitor's counts equal the
   * files in the buffer and the rows of the per-STF Parquet (read through DuckDB).
   */
  @Test
  void theWholeWorkflowSurvivesAKilledProcessAndCountsEveryStfOnce() throws Exception {
    // Real time, shortened: the run's STFs arrive over ~20 s, so the kill lands mid-run even when
    // process starts late on a loaded machine and then catches up at its full speed.
    Path schedule =
        Files.writeString(
            dir.resolve("short.toml"),
            String.join(
                "\n",
                "no_beam_seconds = 0",
                "beam_not_ready_seconds = 0",
                "run_imminent_seconds = 0.5",
                "beam_ready_seconds = 0",
                "physics_seconds = 20",
                "physics_periods = 1",
                "end_run_seconds = 0",
                ""));
    ShadedJarIT.Proc start =
        beamline(
            "stream",
            "testbed",
            "start",
            "--dir",
            "tb",
            "--schedule",
            schedule.toString(),
            "--duplicate-fraction",
            "0.5",
            "--delay-fraction",
            "0.5",
            "--monitor-port",
            "0",
            "--grace-seconds",
            "60");
    assertEquals(0, start.code(), start.out() + start.err());
    String url = state().get("monitor_url").asText();
    assertThat(start.out(), containsString("monitor: " + url + "/"));

    // SIGKILL the process agent once the monitor shows its first STF processed.
    long firstPid = agent("process").get("pid").asLong();
    long deadline = System.nanoTime() + 240_000_000_000L;
    while (System.nanoTime() < deadline
        && count(url + "/api/stf-files?run=100010&status=processed") < 1) {
      Thread.sleep(200);
    }
    assertTrue(count(url + "/api/stf-files?run=100010&status=processed") >= 1, "nothing processed");
    JsonNode before = get(url + "/api/runs/100010");
    assertEquals(
        "running",
        before.path("status").asText(),
        "the run's STFs were all sent before the kill, so the kill was not mid-run: " + before);
    ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

    // The run (number 100010 from the monitor's counter) ends processed, each STF once; process
    // sends a run's end after all of its STFs, so once the monitor shows the run processed it
    // already counts every STF.
    JsonNode run = null;
    int stfCount = -1;
    while (System.nanoTime() < deadline) {
      run = get(url + "/api/runs/100010");
      stfCount = run == null ? -1 : run.path("stf_count").asInt(-1);
      if (run != null && "processed".equals(run.path("status").asText())) {
        break;
      }
      Thread.sleep(200);
    }
    assertEquals(
        "processed",
        run == null ? null : run.path("status").asText(),
        "run 100010 in the monitor: "
            + run
            + "; process log: "
            + Files.readString(dir.resolve("tb/logs/process.log")));
    while (System.nanoTime() < deadline && agent("daq").get("exit_code").isNull()) {
      Thread.sleep(200);
    }
    String daqLog = Files.readString(dir.resolve("tb/logs/daq.log"));
    assertEquals(0, agent("daq").get("exit_code").asInt(), daqLog);
    assertThat(daqLog, containsString("daq: injected faults:"));
    // The supervisor notes the restart once the new process is launched (a second after the death).
    JsonNode restarted = agent("process");
    while (System.nanoTime() < deadline && restarted.get("restarts").asInt() < 1) {
      Thread.sleep(200);
      restarted = agent("process");
    }
    assertEquals(1, restarted.get("restarts").asInt(), restarted.toString());
    assertTrue(restarted.get("pid").asLong() != firstPid, restarted.toString());

    List<String> buffer;
    try (Stream<Path> s = Files.list(dir.resolve("tb/daq/buffer"))) {
      buffer = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertTrue(stfCount >= 3, "stf_count " + stfCount);
    assertEquals(stfCount, buffer.size(), buffer.toString());
    assertEquals(stfCount, count(url + "/api/stf-files?run=100010"));
    assertEquals(stfCount, count(url + "/api/stf-files?run=100010&status=processed"));
    assertEquals(0, count(url + "/api/stf-files?run=100010&status=failed"));
    assertEquals(stfCount, run.path("stf_registered").asInt(), run.toString());
    assertEquals(stfCount, run.path("stf_processed").asInt(), run.toString());
    String parquet =
        DuckDb.literal(dir.resolve("tb/process/stream-process/stf/run=100010") + "/*.parquet");
    try (DuckDb db = DuckDb.inMemory()) {
      List<List<Object>> rows =
          db.rows(
              "SELECT count(*), count(DISTINCT filename), count(*) FILTER (status = 'processed')"
                  + " FROM read_parquet("
                  + parquet
                  + ")");
      assertEquals(
          List.of((long) stfCount, (long) stfCount, (long) stfCount),
          rows.get(0).stream().map(v -> ((Number) v).longValue()).toList());
      List<List<Object>> names =
          db.rows("SELECT filename FROM read_parquet(" + parquet + ") ORDER BY filename");
      assertEquals(buffer, names.stream().map(r -> r.get(0).toString()).toList());
    }

    ShadedJarIT.Proc status = beamline("stream", "testbed", "status", "--dir", "tb");
    assertEquals(0, status.code(), status.out() + status.err());
    assertThat(status.out(), containsString(url + " healthy"));

    // A daq with a wrong token is refused by the monitor: one line, exit 2.
    ShadedJarIT.Proc refused =
        beamline(
            "stream",
            "daq",
            "--broker",
            state().get("broker_address").asText(),
            "--output-dir",
            "refused",
            "--monitor-url",
            url,
            "--monitor-token",
            "wrong",
            "--no-realtime",
            "--stf-count",
            "1");
    assertEquals(2, refused.code(), refused.out() + refused.err());
    assertThat(refused.err(), containsString("refused the run number request (HTTP 401)"));

    List<Long> pids = pids();
    assertEquals(5, pids.size());
    ShadedJarIT.Proc stop = beamline("stream", "testbed", "stop", "--dir", "tb");
    assertEquals(0, stop.code(), stop.out() + stop.err());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
    }
    assertEquals("stopped", state().get("state").asText());
    assertEquals(1, beamline("stream", "testbed", "status", "--dir", "tb").code());
    ShadedJarIT.Proc none = beamline("stream", "testbed", "status", "--dir", "nothing");
    assertEquals(2, none.code());
    assertThat(none.err(), containsString("no testbed in"));
  }
}

package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
    List<String> cmd = new ArrayList<>();
    cmd.add(ShadedJarIT.JAVA);
    cmd.addAll(ShadedJarIT.addOpens());
    cmd.add("-jar");
    cmd.add(ShadedJarIT.JAR.toString());
    cmd.addAll(List.of(args));
    return ShadedJarIT.exec(dir, cmd);
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

  @Test
  void startStatusStopWithTheDaq() throws Exception {
    ShadedJarIT.Proc start =
        beamline(
            "stream",
            "testbed",
            "start",
            "--dir",
            "tb",
            "--agents",
            "daq",
            "--stf-count",
            "3",
            "--no-realtime",
            "--grace-seconds",
            "5");
    assertEquals(0, start.code(), start.out() + start.err());
    assertThat(start.out(), containsString("running"));
    assertEquals("running", state().get("state").asText());

    ShadedJarIT.Proc again = beamline("stream", "testbed", "start", "--dir", "tb");
    assertEquals(2, again.code(), again.out() + again.err());
    assertThat(again.err(), containsString("a testbed already runs in"));

    // The daq takes its run and exits 0; the supervisor records it.
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline
        && (agent("daq") == null || agent("daq").get("exit_code").isNull())) {
      Thread.sleep(500);
    }
    assertEquals(
        0, agent("daq").get("exit_code").asInt(), Files.readString(dir.resolve("tb/logs/daq.log")));
    List<Path> stfs;
    try (Stream<Path> s = Files.list(dir.resolve("tb/daq/buffer"))) {
      stfs = s.map(Path::getFileName).sorted().toList();
    }
    assertEquals(
        List.of(
            Path.of("swf.100010.000001.stf"),
            Path.of("swf.100010.000002.stf"),
            Path.of("swf.100010.000003.stf")),
        stfs);

    ShadedJarIT.Proc status = beamline("stream", "testbed", "status", "--dir", "tb");
    assertEquals(0, status.code(), status.out() + status.err());
    assertThat(status.out(), containsString("answers"));
    assertThat(status.out(), containsString("exited 0"));

    List<Long> pids = pids();
    ShadedJarIT.Proc stop = beamline("stream", "testbed", "stop", "--dir", "tb");
    assertEquals(0, stop.code(), stop.out() + stop.err());
    assertThat(stop.out(), containsString("testbed stopped"));
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
    }
    assertEquals("stopped", state().get("state").asText());
    assertTrue(Files.exists(dir.resolve("tb/daq/buffer/swf.100010.000003.stf")));

    ShadedJarIT.Proc after = beamline("stream", "testbed", "status", "--dir", "tb");
    assertEquals(1, after.code(), after.out());
    ShadedJarIT.Proc none = beamline("stream", "testbed", "status", "--dir", "nothing");
    assertEquals(2, none.code());
    assertThat(none.err(), containsString("no testbed in"));
  }

  private static JsonNode get(String url) throws Exception {
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
  }

  @Test
  void theWholeWorkflowProcessesTheDaqsRunOnce() throws Exception {
    ShadedJarIT.Proc start =
        beamline(
            "stream",
            "testbed",
            "start",
            "--dir",
            "tb",
            "--stf-count",
            "4",
            "--no-realtime",
            "--monitor-port",
            "0",
            "--grace-seconds",
            "60");
    assertEquals(0, start.code(), start.out() + start.err());
    String url = state().get("monitor_url").asText();
    assertThat(start.out(), containsString("monitor: " + url + "/"));

    // The daq's run (number 100010 from the monitor's counter) ends processed in the monitor,
    // with each of its STFs processed (the monitor may ingest run_processed before the last
    // stf_processed: both are waited for).
    long deadline = System.nanoTime() + 300_000_000_000L;
    JsonNode run = null;
    JsonNode processed = null;
    while (System.nanoTime() < deadline) {
      run = get(url + "/api/runs/100010");
      processed = get(url + "/api/stf-files?run=100010&status=processed");
      if (run != null
          && "processed".equals(run.path("status").asText())
          && processed != null
          && processed.path("count").asInt() == 4) {
        break;
      }
      Thread.sleep(1000);
    }
    assertEquals(
        "processed",
        run == null ? null : run.path("status").asText(),
        "run 100010 in the monitor: "
            + run
            + "; process log: "
            + Files.readString(dir.resolve("tb/logs/process.log")));
    assertEquals(4, run.path("stf_count").asInt());
    assertEquals(4, processed.path("count").asInt(), String.valueOf(processed));
    assertEquals(4, get(url + "/api/stf-files?run=100010").path("count").asInt());
    assertEquals(0, get(url + "/api/stf-files?run=100010&status=failed").path("count").asInt());
    try (Stream<Path> s = Files.list(dir.resolve("tb/daq/buffer"))) {
      assertEquals(4, s.count());
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
  }
}

package io.beamline.runners.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import io.beamline.runners.monitor.MonitorClient.Reply;
import io.beamline.runners.monitor.db.MonitorDatabase;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor's behaviour over REST, the same against each database: {@link MonitorH2Test} runs it
 * on the embedded H2 file, {@link MonitorPostgresIT} on a real PostgreSQL server.
 */
abstract class MonitorSuite {
  static final String TOKEN = "test-token-0123456789";

  MonitorDatabase db;
  MonitorServer server;
  MonitorClient api;

  /** A JDBC URL of a new, empty database. */
  abstract String newDatabaseUrl() throws Exception;

  @BeforeEach
  void startMonitor() throws Exception {
    db = MonitorDatabase.open(newDatabaseUrl(), null, null);
    // A 1 s keep-alive so the stream test sees one quickly (the command's is 30 s).
    server = MonitorServer.start(db, "127.0.0.1", 0, TOKEN, Duration.ofSeconds(180), 1);
    api = new MonitorClient(server.port(), TOKEN);
  }

  @AfterEach
  void stopMonitor() {
    server.close();
    db.close();
  }

  @Test
  void runsAndStfFilesCrudWithFiltersAndPaging() throws Exception {
    assertEquals(
        201, api.post("/api/runs", Map.of("run_number", 100010, "status", "running")).status());
    for (int seq = 1; seq <= 5; seq++) {
      Reply r =
          api.post(
              "/api/stf-files",
              Map.of(
                  "filename",
                  stf(100010, seq),
                  "run_number",
                  100010,
                  "sequence",
                  seq,
                  "size_bytes",
                  1000L + seq,
                  "checksum",
                  "ad:0000000" + seq));
      assertEquals(201, r.status(), r.body().toString());
      assertEquals("registered", r.body().get("status").asText());
    }
    api.post("/api/stf-files", Map.of("filename", stf(100011, 1), "run_number", 100011));
    assertEquals(
        200,
        api.patch("/api/stf-files/" + stf(100010, 2), Map.of("status", "processed", "hits", 42))
            .status());
    JsonNode page = api.get("/api/stf-files?run=100010&limit=2&offset=1").body();
    assertEquals(5, page.get("count").asLong());
    assertEquals(2, page.get("results").size());
    // Newest first: offset 1 skips sequence 5.
    assertEquals(4, page.get("results").get(0).get("sequence").asInt());
    JsonNode processed = api.get("/api/stf-files?run=100010&status=processed").body();
    assertEquals(1, processed.get("count").asLong());
    assertEquals(42, processed.get("results").get(0).get("hits").asLong());
    JsonNode run = api.get("/api/runs/100010").body();
    assertEquals(5, run.get("stf_registered").asLong());
    assertEquals(1, run.get("stf_processed").asLong());
    // A second POST of the same filename updates, it does not add a row.
    Reply again =
        api.post(
            "/api/stf-files",
            Map.of("filename", stf(100010, 1), "run_number", 100010, "tf_count", 1000));
    assertEquals(200, again.status());
    assertEquals(1000, again.body().get("tf_count").asInt());
    assertEquals(5, api.get("/api/runs/100010").body().get("stf_registered").asLong());
    assertEquals(
        100010,
        api.patch("/api/runs/100010", Map.of("status", "ended", "stf_count", 5))
            .body()
            .get("run_number")
            .asLong());
    assertEquals(
        "ended",
        api.get("/api/runs?status=ended").body().get("results").get(0).get("status").asText());
  }

  @Test
  void badRequestsNameTheFieldAndUnknownIdsAre404() throws Exception {
    Reply stringRun = api.post("/api/runs", "{\"run_number\": \"100010\"}");
    assertEquals(400, stringRun.status());
    assertTrue(
        stringRun.body().get("error").asText().startsWith("run_number must be an integer"),
        stringRun.body().toString());
    Reply missing = api.post("/api/stf-files", Map.of("filename", "swf.1.000001.stf"));
    assertEquals(400, missing.status());
    assertTrue(missing.body().get("error").asText().contains("run_number is required"));
    Reply unknownField = api.post("/api/runs", Map.of("run_number", 1, "colour", "red"));
    assertEquals(400, unknownField.status());
    assertTrue(unknownField.body().get("error").asText().contains("unknown field 'colour'"));
    Reply badStatus = api.post("/api/runs", Map.of("run_number", 1, "status", "done"));
    assertTrue(badStatus.body().get("error").asText().startsWith("status must be one of"));
    Reply badTime =
        api.post("/api/runs", Map.of("run_number", 1, "start_time", "2026-12-06 21:00"));
    assertTrue(badTime.body().get("error").asText().contains("with a zone"));
    Reply notJson = api.post("/api/runs", "{run_number: 1");
    assertEquals(400, notJson.status());
    assertTrue(notJson.body().get("error").asText().startsWith("the body must be a JSON object"));
    Reply badLimit = api.get("/api/runs?limit=0");
    assertEquals(400, badLimit.status());
    assertTrue(badLimit.body().get("error").asText().startsWith("limit must be between 1"));
    Reply badParam = api.get("/api/stf-files?runs=1");
    assertEquals(400, badParam.status());
    assertTrue(badParam.body().get("error").asText().contains("unknown query parameter 'runs'"));
    Reply noRun = api.get("/api/runs/999");
    assertEquals(404, noRun.status());
    assertEquals("no run 999; GET /api/runs lists them", noRun.body().get("error").asText());
    assertEquals(404, api.patch("/api/stf-files/nope.stf", Map.of("hits", 1)).status());
    assertEquals(400, api.get("/api/runs/abc").status());
    Map<String, Object> stringRunId = message("start_run", 1, "daq@h-1");
    stringRunId.put("run_id", "100010");
    Reply badMessage = api.post("/api/workflow-messages", stringRunId);
    assertEquals(400, badMessage.status());
    assertTrue(
        badMessage.body().get("error").asText().contains("run_id"), badMessage.body().toString());
  }

  @Test
  void writesNeedTheTokenAndReadsAreOpenOnLoopback() throws Exception {
    Reply none = api.write("POST", "/api/runs", Map.of("run_number", 5), false);
    assertEquals(401, none.status());
    assertTrue(none.body().get("error").asText().contains("Bearer"));
    Reply wrong =
        new MonitorClient(server.port(), "wrong").post("/api/runs", Map.of("run_number", 5));
    assertEquals(401, wrong.status());
    assertEquals(401, api.write("POST", "/api/state/next-run-number", "", false).status());
    assertEquals(404, api.get("/api/runs/5").status());
    assertEquals(200, api.get("/api/health").status());
    assertEquals(201, api.post("/api/runs", Map.of("run_number", 5)).status());
  }

  @Test
  void nextRunNumberIsUniqueUnderConcurrentCallers() throws Exception {
    int threads = 8;
    int each = 15;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Long>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                List<Long> got = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  Reply r = api.post("/api/state/next-run-number", "");
                  assertEquals(200, r.status(), String.valueOf(r.body()));
                  got.add(r.body().get("run_number").asLong());
                }
                return got;
              }));
    }
    TreeSet<Long> all = new TreeSet<>();
    int n = 0;
    for (Future<List<Long>> f : futures) {
      for (long v : f.get()) {
        all.add(v);
        n++;
      }
    }
    pool.shutdown();
    assertEquals(threads * each, n);
    assertEquals(threads * each, all.size(), "a run number was handed out twice");
    assertEquals(100010L, all.first());
    assertEquals(100010L + threads * each - 1, all.last());
  }

  @Test
  void duplicatedMessagesNeverCountTwice() throws Exception {
    long run = 100010;
    List<Map<String, Object>> messages = new ArrayList<>();
    messages.add(message("start_run", run, "daq@h-1"));
    for (int seq = 1; seq <= 3; seq++) {
      messages.add(stfGen(run, seq));
      Map<String, Object> done = message("stf_processed", run, "process@h-2");
      done.put("filename", stf(run, seq));
      done.put("sequence", seq);
      done.put("tf_count", 10);
      done.put("hits", 200 + seq);
      done.put("status", seq == 3 ? "failed" : "processed");
      done.put("reason", seq == 3 ? "checksum mismatch" : "");
      done.put("checksum_ok", seq != 3);
      messages.add(done);
    }
    Map<String, Object> end = message("end_run", run, "daq@h-1");
    end.put("stf_count", 3);
    messages.add(end);
    // Everything twice, and the STF registrations a third time after they were processed.
    for (int pass = 0; pass < 2; pass++) {
      for (Map<String, Object> m : messages) {
        assertEquals(201, api.post("/api/workflow-messages", m).status());
      }
    }
    for (Map<String, Object> m : messages) {
      if (m.get("msg_type").equals("stf_gen") || m.get("msg_type").equals("start_run")) {
        api.post("/api/workflow-messages", m);
      }
    }
    JsonNode r = api.get("/api/runs/" + run).body();
    assertEquals("ended", r.get("status").asText(), "a late start_run reopened the run");
    assertEquals(3, r.get("stf_count").asInt());
    assertEquals(3, r.get("stf_registered").asLong());
    assertEquals(2, r.get("stf_processed").asLong());
    assertEquals(1, r.get("stf_failed").asLong());
    assertEquals(
        "checksum mismatch",
        api.get("/api/stf-files/" + stf(run, 3)).body().get("reason").asText());
    // A broker record is journalled once per (topic, partition, offset).
    MessageIngest.Source src = new MessageIngest.Source("swf.daq", 0, 77L);
    JsonNode first = Json.MAPPER.valueToTree(messages.get(1));
    assertTrue(server.ingest().accept(first, src, false) != null);
    assertNull(server.ingest().accept(first, src, false));
    assertEquals(
        1,
        api
            .get("/api/workflow-messages?msg_type=stf_gen&limit=1000")
            .body()
            .get("results")
            .findValues("source_offset")
            .stream()
            .filter(JsonNode::isNumber)
            .count());
    assertEquals(3, api.get("/api/stf-files?run=" + run).body().get("count").asLong());
  }

  @Test
  void agentsGoExitedAfterSilenceOrAnExitedHeartbeat() throws Exception {
    Instant now = Instant.now();
    Map<String, Object> hb = message("heartbeat", 0, "process@h-2");
    hb.put("agent_type", "process");
    hb.put("pid", 1234);
    hb.put("hostname", "h-2");
    hb.put("operational_state", "PROCESSING");
    hb.put("status", "OK");
    hb.put("timestamp", now.toString());
    api.post("/api/workflow-messages", hb);
    api.post("/api/systemagents/daq@h-1/heartbeat", Map.of("agent_type", "daq"));
    JsonNode agent = api.get("/api/systemagents/process@h-2").body();
    assertEquals("OK", agent.get("status").asText());
    assertEquals("PROCESSING", agent.get("operational_state").asText());
    assertEquals(0, server.sweeper().sweep(now.plusSeconds(179)));
    assertEquals(2, server.sweeper().sweep(now.plusSeconds(240)));
    assertEquals("EXITED", api.get("/api/systemagents/process@h-2").body().get("status").asText());
    // A newer heartbeat revives it; a redelivered older one changes nothing.
    hb.put("timestamp", now.plusSeconds(300).toString());
    api.post("/api/workflow-messages", hb);
    assertEquals("OK", api.get("/api/systemagents/process@h-2").body().get("status").asText());
    Map<String, Object> bye = new LinkedHashMap<>(hb);
    bye.put("operational_state", "EXITED");
    bye.put("timestamp", now.plusSeconds(301).toString());
    api.post("/api/workflow-messages", bye);
    api.post("/api/workflow-messages", hb);
    JsonNode gone = api.get("/api/systemagents/process@h-2").body();
    assertEquals("EXITED", gone.get("status").asText());
    assertEquals("EXITED", gone.get("operational_state").asText());
    assertEquals(2, api.get("/api/systemagents").body().get("count").asLong());
    // Over REST too, as --monitor-url reporters send it: EXITED whatever status comes with it.
    api.post(
        "/api/systemagents/daq@h-1/heartbeat",
        Map.of("operational_state", "EXITED", "status", "OK", "run_id", "20261206T2100Z-demo"));
    JsonNode daq = api.get("/api/systemagents/daq@h-1").body();
    assertEquals("EXITED", daq.get("status").asText());
    assertEquals("20261206T2100Z-demo", daq.get("run_id").asText());
  }

  @Test
  void streamSendsOnlyWhatTheFilterAsksForAndKeepsAlive() throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    api.base() + "/api/messages/stream/?msg_types=stf_gen,end_run&run_ids=7"))
            .build();
    HttpResponse<InputStream> resp =
        api.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, resp.statusCode());
    assertTrue(
        resp.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
        resp.headers().toString());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
      assertEquals(": connected", in.readLine());
      assertEquals(201, api.post("/api/workflow-messages", stfGen(8, 1)).status());
      assertEquals(
          201, api.post("/api/workflow-messages", message("start_run", 7, "daq@h-1")).status());
      assertEquals(201, api.post("/api/workflow-messages", stfGen(7, 1)).status());
      List<String> data = new ArrayList<>();
      boolean keepAlive = false;
      for (String line; data.size() < 1 || !keepAlive; ) {
        line = in.readLine();
        if (line.startsWith("data: ")) {
          data.add(line.substring(6));
        } else if (line.equals(": keep-alive")) {
          keepAlive = true;
        }
      }
      JsonNode event = Json.MAPPER.readTree(data.get(0));
      assertEquals("stf_gen", event.get("msg_type").asText());
      assertEquals(7, event.get("run_id").asLong());
      assertEquals(stf(7, 1), event.get("body").get("filename").asText());
      assertEquals(Set.of(), Set.copyOf(data.subList(1, data.size())));
    }
    Reply bad = api.get("/api/messages/stream/?run_ids=x");
    assertEquals(400, bad.status(), String.valueOf(bad.body()));
  }

  static String stf(long run, int seq) {
    return String.format("swf.%d.%06d.stf", run, seq);
  }

  /** A complete stf_gen message of STF {@code seq} of {@code run}. */
  static Map<String, Object> stfGen(long run, int seq) {
    Map<String, Object> gen = message("stf_gen", run, "daq@h-1");
    gen.put("filename", stf(run, seq));
    gen.put("path", "/buffer/" + stf(run, seq));
    gen.put("sequence", seq);
    gen.put("size_bytes", 4096);
    gen.put("checksum", "ad:0000abcd");
    gen.put("tf_count", 10);
    gen.put("start", "2026-12-06T21:15:00Z");
    gen.put("end", "2026-12-06T21:15:00.006656Z");
    return gen;
  }

  static Map<String, Object> message(String type, long run, String agent) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("msg_type", type);
    m.put("namespace", "beamline");
    m.put("execution_id", "daq-20261206T211500Z-4f2a");
    m.put("run_id", run);
    m.put("timestamp", Instant.now().toString());
    m.put("simulation_tick", 1);
    m.put("state", "run");
    m.put("substate", "physics");
    m.put("agent", agent);
    return m;
  }
}

package io.beamline.runners.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.runners.monitor.db.MonitorDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor reading the workflow's topics from a real (embedded) broker: every record is
 * journalled, duplicated records change no count, a malformed record is counted and skipped, a dead
 * letter is journalled, and records sent while the monitor is down are read when it comes back
 * (committed offsets), none twice.
 */
class MonitorKafkaIT {
  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, String> producer;

  @TempDir static Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    producer = KafkaClients.producer(p);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static void send(String topic, String key, Object value) throws Exception {
    String text = value instanceof String s ? s : Json.line(value);
    producer.send(new ProducerRecord<>(topic, key, text)).get();
  }

  @Test
  void readsEveryRecordOnceAcrossDuplicatesAndARestart() throws Exception {
    long run = 100010;
    String key = Long.toString(run);
    try (MonitorDatabase db = MonitorDatabase.open(MonitorDatabase.h2Url(dir), null, null)) {
      MonitorServer server =
          MonitorServer.start(db, "127.0.0.1", 0, MonitorSuite.TOKEN, Duration.ofSeconds(180), 30);
      MonitorClient api = new MonitorClient(server.port(), MonitorSuite.TOKEN);
      try {
        server.readBroker(kafka.bootstrapServers());
        send("swf.daq", key, MonitorSuite.message("start_run", run, "daq@h-1"));
        for (int seq = 1; seq <= 3; seq++) {
          send("swf.daq", key, MonitorSuite.stfGen(run, seq));
        }
        send("swf.daq", key, MonitorSuite.stfGen(run, 2));
        send("swf.daq", key, "{\"msg_type\": \"stf_gen\", \"run_id\": \"100010\"}");
        for (int seq = 1; seq <= 3; seq++) {
          Map<String, Object> done = MonitorSuite.message("stf_processed", run, "process@h-2");
          done.put("filename", MonitorSuite.stf(run, seq));
          done.put("sequence", seq);
          done.put("tf_count", 10);
          done.put("hits", 100);
          done.put("status", "processed");
          done.put("reason", "");
          done.put("checksum_ok", true);
          send("swf.processing", key, done);
        }
        Map<String, Object> dead = new LinkedHashMap<>();
        dead.put("source_topic", "swf.daq");
        dead.put("partition", 0);
        dead.put("offset", 5);
        dead.put("reason", "run_id must be an integer");
        dead.put("raw", "{\"msg_type\": \"stf_gen\"}");
        send("swf.deadletter", key, dead);
        JsonNode r = waitFor(api, "/api/runs/" + run, n -> n.path("stf_processed").asInt() == 3);
        assertEquals(3, r.get("stf_registered").asInt());
        // The topics are read independently: swf.processing's records may be read before the last
        // of swf.daq's, so wait for the malformed record (the last one on swf.daq) to be counted.
        waitFor(api, "/api/health", n -> n.path("broker").path("malformed").asInt() == 1);
        assertEquals(4, count(api, "/api/workflow-messages?msg_type=stf_gen"));
        waitFor(
            api, "/api/workflow-messages?msg_type=deadletter", n -> n.path("count").asInt() == 1);
      } finally {
        server.close();
      }
      // Sent while the monitor is down.
      Map<String, Object> end = MonitorSuite.message("end_run", run, "daq@h-1");
      end.put("stf_count", 4);
      send("swf.daq", key, MonitorSuite.stfGen(run, 4));
      send("swf.daq", key, end);
      Map<String, Object> hb = MonitorSuite.message("heartbeat", 0, "daq@h-1");
      hb.put("agent_type", "daq");
      hb.put("pid", 42);
      hb.put("hostname", "h-1");
      hb.put("operational_state", "EXITED");
      hb.put("status", "OK");
      hb.put("timestamp", Instant.now().toString());
      send("swf.heartbeat", "daq@h-1", hb);
      server =
          MonitorServer.start(db, "127.0.0.1", 0, MonitorSuite.TOKEN, Duration.ofSeconds(180), 30);
      api = new MonitorClient(server.port(), MonitorSuite.TOKEN);
      try {
        server.readBroker(kafka.bootstrapServers());
        JsonNode r =
            waitFor(api, "/api/runs/" + run, n -> n.path("status").asText().equals("ended"));
        assertEquals(4, r.get("stf_registered").asInt());
        assertEquals(4, r.get("stf_count").asInt());
        assertEquals(5, count(api, "/api/workflow-messages?msg_type=stf_gen"));
        JsonNode agent =
            waitFor(
                api, "/api/systemagents/daq@h-1", n -> n.path("status").asText().equals("EXITED"));
        assertEquals("daq", agent.get("agent_type").asText());
      } finally {
        server.close();
      }
    }
  }

  private static long count(MonitorClient api, String path) throws Exception {
    return api.get(path).body().get("count").asLong();
  }

  /** Polls {@code path} until its body passes {@code done} (30 s at most); returns that body. */
  private static JsonNode waitFor(MonitorClient api, String path, Predicate<JsonNode> done)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      MonitorClient.Reply r = api.get(path);
      last = r.body();
      if (r.status() == 200 && done.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("GET " + path + " never reached the expected state; last: " + last);
  }
}

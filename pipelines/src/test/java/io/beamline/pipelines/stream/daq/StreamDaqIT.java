package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfFile;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream daq --no-realtime} against the real embedded broker: every message read back with a
 * plain consumer, every STF file checked against its {@code stf_gen}.
 */
class StreamDaqIT {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void broker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static String daq(Path out, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--broker=" + kafka.bootstrapServers()));
    args.add("--outputDir=" + out);
    args.addAll(List.of(extra));
    DaqOptions o =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).as(DaqOptions.class);
    StringWriter text = new StringWriter();
    int code = new StreamDaqTool().run(o, new PrintWriter(text), new PrintWriter(text));
    assertEquals(0, code, text.toString());
    return text.toString();
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void everyMessageAndFileOfTwoRunsIsThereOnceAndMatches(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    String text =
        daq(out, "--noRealtime", "--stfCount=7", "--runs=2", "--tfsPerStf=200", "--seed=5");
    assertTrue(text.contains("daq: run 100010: 7 STFs"), text);
    assertTrue(text.contains("daq: run 100011: 7 STFs"), text);

    Map<Long, List<WorkflowMessage>> byRun = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(SwfTopics.DAQ)) {
      WorkflowMessage m = WorkflowMessages.decode(r.value());
      assertEquals(Long.toString(m.runId()), r.key());
      assertEquals("beamline", m.namespace());
      byRun.computeIfAbsent(m.runId(), k -> new ArrayList<>()).add(m);
    }
    assertEquals(List.of(100_010L, 100_011L), List.copyOf(byRun.keySet()));
    List<Path> files;
    try (Stream<Path> s = Files.list(out.resolve("buffer"))) {
      files = s.sorted().toList();
    }
    assertEquals(14, files.size(), files.toString());
    int checked = 0;
    for (Map.Entry<Long, List<WorkflowMessage>> e : byRun.entrySet()) {
      List<WorkflowMessage> ms = e.getValue();
      List<String> types = ms.stream().map(m -> m.type().wireName()).toList();
      // 7 STFs with the default schedule: 5, pause, resume, 2.
      List<String> expected = new ArrayList<>(List.of("run_imminent", "start_run"));
      for (int i = 0; i < 5; i++) {
        expected.add("stf_gen");
      }
      expected.addAll(List.of("pause_run", "resume_run", "stf_gen", "stf_gen", "end_run"));
      assertEquals(expected, types, "run " + e.getKey());
      WorkflowMessage end = ms.get(ms.size() - 1);
      List<WorkflowMessage> gens = ms.stream().filter(m -> m.type() == MsgType.STF_GEN).toList();
      assertEquals(end.integer("stf_count"), gens.size());
      for (WorkflowMessage g : gens) {
        Path f = Path.of(g.string("path"));
        assertEquals(out.resolve("buffer").resolve(g.string("filename")).toAbsolutePath(), f);
        assertEquals(200, g.integer("tf_count"));
        try (StfFile stf = StfFile.open(f)) {
          StfFile.Verification v = stf.verify(g.integer("size_bytes"), g.string("checksum"));
          assertTrue(v.ok(), g.string("filename") + ": " + v.reason());
          assertEquals(e.getKey(), stf.header().run());
          assertEquals(g.integer("sequence"), stf.header().sequence());
          assertEquals(5L, stf.header().seed());
        }
        checked++;
      }
    }
    assertEquals(14, checked);

    List<WorkflowMessage> beats = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readAll(SwfTopics.HEARTBEAT)) {
      WorkflowMessage m = WorkflowMessages.decode(r.value());
      assertEquals(m.agent(), r.key());
      beats.add(m);
    }
    assertTrue(beats.size() >= 2, beats.toString());
    WorkflowMessage last = beats.get(beats.size() - 1);
    assertEquals("EXITED", last.string("operational_state"));
    assertEquals("daq", last.string("agent_type"));
    assertEquals(ProcessHandle.current().pid(), last.integer("pid"));
    assertEquals(byRun.get(100_010L).get(0).agent(), last.agent());
    assertTrue(Files.readString(out.resolve("run-counter")).startsWith("100012"));
  }
}

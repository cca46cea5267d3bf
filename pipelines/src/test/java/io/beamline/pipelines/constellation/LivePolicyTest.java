package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live read's event time and watermark ({@link KafkaSource.LivePolicy}): the watermark follows
 * the packets (the next packet's time), and reaches the end of time only when the session is over
 * for the topic.
 */
class LivePolicyTest {
  private static final String RUN = "live-policy-test";
  private final SessionPlan plan = plan(java.time.Instant.now().toString());
  private final SensorDriver phone = plan.driver("phone01").orElseThrow();
  private final List<SensorEvent> packets = packets(phone);

  /** A 5 s session with 2 s windows from {@code start} (a streaming one starts now). */
  private static SessionPlan plan(String start) {
    ConstellationOptions o =
        options(
            args(
                Path.of("out"),
                "--duration=5",
                "--windowSeconds=2",
                "--seed=3",
                "--sessionStart=" + start));
    new ConstellationPipeline().validate(o);
    return ConstellationPipeline.plan(o);
  }

  private List<SensorEvent> packets(SensorDriver d) {
    List<SensorEvent> all = new ArrayList<>();
    Iterator<SensorEvent> it = plan.events(d);
    it.forEachRemaining(all::add);
    return all;
  }

  @AfterEach
  void forget() {
    LiveSession.forget(RUN);
  }

  /** A partition context with the given backlog, measured at {@code checkedAtMs}. */
  private static TimestampPolicy.PartitionContext context(long backlog, long checkedAtMs) {
    return new TimestampPolicy.PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return backlog;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return new Instant(checkedAtMs);
      }
    };
  }

  private static KafkaRecord<byte[], byte[]> record(byte[] value, long appendedMs) {
    return new KafkaRecord<>(
        "t",
        0,
        0,
        appendedMs,
        KafkaTimestampType.LOG_APPEND_TIME,
        null,
        "k".getBytes(StandardCharsets.UTF_8),
        value);
  }

  private KafkaSource.LivePolicy policy(long ownFromMs, long limitMs) {
    return new KafkaSource.LivePolicy(
        plan, phone, RUN, new KafkaSource.Live(ownFromMs, 30_000, limitMs), null);
  }

  @Test
  void eventTimeIsThePacketsTimeAndTheWatermarkTheNextPackets() {
    KafkaSource.LivePolicy p = policy(0, 3_600_000);
    TimestampPolicy.PartitionContext ctx = context(5, System.currentTimeMillis());
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, p.getWatermark(ctx));
    // phone01 sends one packet a second: after packet 1, nothing before packet 2's time can come.
    SensorEvent e = packets.get(1);
    Instant t = p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(e), now()));
    assertEquals(StreamingWindows.packetEventTimeMs(plan, phone, 1), t.getMillis());
    assertEquals(
        StreamingWindows.packetEventTimeMs(plan, phone, 2), p.getWatermark(ctx).getMillis());
    // A record that does not decode keeps its Kafka time and moves nothing.
    Instant bad = p.getTimestampForRecord(ctx, record(new byte[] {1, 2, 3}, 1234));
    assertEquals(1234, bad.getMillis());
    assertEquals(
        StreamingWindows.packetEventTimeMs(plan, phone, 2), p.getWatermark(ctx).getMillis());
  }

  @Test
  void theLastPacketOfThisRunEndsTheTopic() {
    long runStart = now();
    SensorEvent last = packets.get(packets.size() - 1);
    TimestampPolicy.PartitionContext ctx = context(0, now());
    // The last packet of an earlier session in a reused topic does not end it ...
    KafkaSource.LivePolicy p = policy(runStart, 3_600_000);
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(last), runStart - 1));
    assertTrue(p.getWatermark(ctx).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    // ... this run's does.
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(last), runStart + 1));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(ctx));
  }

  /**
   * The runner makes a new reader, and a new policy, from a checkpoint at times (its watermark the
   * last one the old policy gave): one made after the last packet was read, or after what the
   * ingest sent was read, still ends the topic (it waited for the 30 s drain, CI stop 22).
   */
  @Test
  void aPolicyMadeAnewAfterTheLastPacketStillEndsTheTopic() {
    long runStart = now();
    TimestampPolicy.PartitionContext ctx = context(0, now());
    KafkaSource.LivePolicy p = policy(runStart, 3_600_000);
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(packets.get(1)), runStart + 1));
    Instant checkpointed = p.getWatermark(ctx);
    // What the ingest sent (packet 2) is read before the checkpoint, the end is known after it.
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(packets.get(2)), runStart + 1));
    KafkaSource.LivePolicy again =
        new KafkaSource.LivePolicy(
            plan, phone, RUN, new KafkaSource.Live(runStart, 30_000, 3_600_000), checkpointed);
    assertTrue(again.getWatermark(ctx).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    LiveSession.ended(RUN, true, java.util.Map.of("phone01", 2L));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, again.getWatermark(ctx));
    // The session's last packet read before a checkpoint: the new policy knows at once.
    LiveSession.forget(RUN);
    SensorEvent last = packets.get(packets.size() - 1);
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(last), runStart + 1));
    assertEquals(
        BoundedWindow.TIMESTAMP_MAX_VALUE,
        new KafkaSource.LivePolicy(
                plan, phone, RUN, new KafkaSource.Live(runStart, 30_000, 3_600_000), checkpointed)
            .getWatermark(ctx));
  }

  @Test
  void afterTheIngestEndedTheTopicEndsOnceTheReaderCaughtUp() throws Exception {
    KafkaSource.LivePolicy p = policy(0, 3_600_000);
    p.getTimestampForRecord(context(3, now()), record(SensorEventCodec.encode(packets.get(0)), 0));
    assertFalse(p.getWatermark(context(0, now())).equals(BoundedWindow.TIMESTAMP_MAX_VALUE));
    LiveSession.ended(RUN, false, null); // failed: what was sent is unknown
    long endedAt = LiveSession.end(RUN).atMs();
    // Backlog measured before the end, or records still unread: not yet.
    assertTrue(p.getWatermark(context(0, endedAt - 1)).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    assertTrue(p.getWatermark(context(2, endedAt + 5)).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    // Caught up since the end: the topic is over (and stays over).
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(context(0, endedAt + 5)));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(context(7, endedAt - 1)));
  }

  @Test
  void afterTheIngestEndedTheTopicEndsWithTheLastPacketItSent() {
    KafkaSource.LivePolicy p = policy(0, 3_600_000);
    TimestampPolicy.PartitionContext ctx = context(4, now());
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(packets.get(1)), now()));
    // Interrupted after packet 2 of phone01 (its topic still has a backlog to read).
    LiveSession.ended(RUN, true, java.util.Map.of("phone01", 2L, "eeg01", 30L));
    assertTrue(p.getWatermark(ctx).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    p.getTimestampForRecord(ctx, record(SensorEventCodec.encode(packets.get(2)), now()));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(ctx));
  }

  @Test
  void aTopicTheIngestSentNothingToEndsWithTheIngest() {
    KafkaSource.LivePolicy p = policy(0, 3_600_000);
    LiveSession.ended(RUN, false, java.util.Map.of("phone01", -1L));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(context(3, now())));
  }

  @Test
  void anInterruptEndsTheTopicAfterItsGraceWhateverTheBacklog() throws Exception {
    KafkaSource.LivePolicy p = policy(0, 3_600_000);
    LiveSession.ended(RUN, true, null);
    assertTrue(p.getWatermark(context(9, now())).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    Thread.sleep(KafkaSource.LivePolicy.INTERRUPT_GRACE_MS + 50);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(context(9, now())));
  }

  @Test
  void theTimeLimitEndsATopicNoIngestReportedOn() {
    SessionPlan old = plan("2020-01-01T00:00:00Z");
    SensorDriver d = old.driver("phone01").orElseThrow();
    TimestampPolicy.PartitionContext ctx = context(9, now());
    // Planned end 2020-01-01T00:00:05Z + 1 h: long past, so over with nothing read.
    assertEquals(
        BoundedWindow.TIMESTAMP_MAX_VALUE,
        new KafkaSource.LivePolicy(old, d, RUN, new KafkaSource.Live(0, 30_000, 3_600_000), null)
            .getWatermark(ctx));
    // This session's limit is an hour after its planned end: not yet.
    assertTrue(policy(0, 3_600_000).getWatermark(ctx).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  void theIngestWaitsUntilEveryTopicHasAReader() throws Exception {
    List<String> sensors = List.of("phone01", "eeg01");
    assertFalse(LiveSession.awaitReaders(RUN, sensors, 50), "no reader yet");
    KafkaSource.Live live = new KafkaSource.Live(0, 30_000, 3_600_000);
    new KafkaSource.LivePolicyFactory(plan, phone, RUN, live)
        .createTimestampPolicy(
            new org.apache.kafka.common.TopicPartition("t", 0), java.util.Optional.empty());
    assertFalse(LiveSession.awaitReaders(RUN, sensors, 50), "one topic of two read");
    java.util.concurrent.CompletableFuture<Boolean> waiting =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return LiveSession.awaitReaders(RUN, sensors, 30_000);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);
    assertFalse(waiting.isDone());
    new KafkaSource.LivePolicyFactory(plan, plan.driver("eeg01").orElseThrow(), RUN, live)
        .createTimestampPolicy(
            new org.apache.kafka.common.TopicPartition("u", 0), java.util.Optional.empty());
    assertTrue(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS), "woken by the second reader");
    LiveSession.forget(RUN);
    assertFalse(
        LiveSession.awaitReaders(RUN, sensors, 10), "a finished run's readers are forgotten");
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}

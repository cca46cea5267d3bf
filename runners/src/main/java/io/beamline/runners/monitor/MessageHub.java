package io.beamline.runners.monitor;

import io.beamline.io.json.Json;
import io.beamline.runners.monitor.db.InvalidValueException;
import io.javalin.http.sse.SseClient;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of the message journal: every journalled message is pushed to the server-sent event
 * clients whose filters (message types, agents, run ids) it passes, and each client gets a
 * keep-alive comment every {@code keepAliveSeconds} so proxies and browsers keep the stream open.
 */
final class MessageHub implements AutoCloseable {
  /** What one client asked for; an empty set lets everything through. */
  record Filter(Set<String> msgTypes, Set<String> agents, Set<Long> runIds) {
    /** The filter of the query parameters {@code msg_types}, {@code agents}, {@code run_ids}. */
    static Filter of(String msgTypes, String agents, String runIds) {
      Set<Long> runs;
      try {
        runs = split(runIds).stream().map(Long::parseLong).collect(Collectors.toSet());
      } catch (NumberFormatException e) {
        throw new InvalidValueException(
            "run_ids must be a comma-separated list of integers, e.g. run_ids=100010,100011; got '"
                + runIds
                + "'");
      }
      return new Filter(split(msgTypes), split(agents), runs);
    }

    private static Set<String> split(String list) {
      if (list == null || list.isBlank()) {
        return Set.of();
      }
      return Arrays.stream(list.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());
    }

    boolean accepts(Map<String, Object> row) {
      return (msgTypes.isEmpty() || msgTypes.contains(String.valueOf(row.get("msg_type"))))
          && (agents.isEmpty() || agents.contains(String.valueOf(row.get("agent"))))
          && (runIds.isEmpty()
              || (row.get("run_id") instanceof Number n && runIds.contains(n.longValue())));
    }
  }

  /**
   * One connected client and its own sender thread: a client that reads slowly delays only itself,
   * never the broker ingest or the other clients. One that falls {@link #BACKLOG} events behind is
   * disconnected (an EventSource reconnects by itself).
   */
  private final class Subscriber {
    final SseClient client;
    final Filter filter;
    final ThreadPoolExecutor sender =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(BACKLOG),
            r -> {
              Thread t = new Thread(r, "monitor-sse-client");
              t.setDaemon(true);
              return t;
            });

    Subscriber(SseClient client, Filter filter) {
      this.client = client;
      this.filter = filter;
    }

    /** Queues a write; drops the client when it is gone or too far behind. */
    void send(Consumer<SseClient> write) {
      try {
        sender.execute(
            () -> {
              try {
                if (client.terminated()) {
                  LOG.info("stream client dropped: it disconnected");
                  drop(this);
                } else {
                  write.accept(client);
                }
              } catch (RuntimeException e) {
                // Gone mid-write: dropped; the others still get their messages.
                LOG.info("stream client dropped: {}", e.toString());
                drop(this);
              }
            });
      } catch (RejectedExecutionException e) {
        LOG.info("stream client dropped: over {} events behind", BACKLOG);
        drop(this);
      }
    }
  }

  /** Events a client may be behind before it is disconnected. */
  static final int BACKLOG = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(MessageHub.class);

  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService keepAlive =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "monitor-sse-keepalive");
            t.setDaemon(true);
            return t;
          });

  MessageHub(long keepAliveSeconds) {
    keepAlive.scheduleAtFixedRate(this::ping, keepAliveSeconds, keepAliveSeconds, TimeUnit.SECONDS);
  }

  /** Adds {@code client} until it disconnects. */
  void subscribe(SseClient client, Filter filter) {
    Subscriber s = new Subscriber(client, filter);
    client.onClose(() -> drop(s));
    client.keepAlive();
    subscribers.add(s);
    // An opening comment: the client knows at once that the stream is up.
    s.send(c -> c.sendComment("connected"));
  }

  /** Number of connected clients. */
  int clients() {
    return subscribers.size();
  }

  /** Queues the journal row {@code row} for every client whose filter it passes. */
  void publish(Map<String, Object> row) {
    String data = null;
    String id = String.valueOf(row.get("id"));
    for (Subscriber s : subscribers) {
      if (s.filter.accepts(row)) {
        if (data == null) {
          data = Json.line(row);
        }
        String d = data;
        s.send(c -> c.sendEvent("message", d, id));
      }
    }
  }

  private void ping() {
    for (Subscriber s : subscribers) {
      s.send(c -> c.sendComment("keep-alive"));
    }
  }

  private void drop(Subscriber s) {
    if (subscribers.remove(s)) {
      s.sender.shutdown();
      try {
        s.client.close();
      } catch (RuntimeException e) {
        // Already closed.
      }
    }
  }

  @Override
  public void close() {
    keepAlive.shutdownNow();
    for (Subscriber s : subscribers) {
      drop(s);
    }
  }
}

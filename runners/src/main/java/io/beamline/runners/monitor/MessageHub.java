package io.beamline.runners.monitor;

import io.beamline.io.json.Json;
import io.beamline.runners.monitor.db.InvalidValueException;
import io.javalin.http.sse.SseClient;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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

  private record Subscriber(SseClient client, Filter filter) {}

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
    client.onClose(() -> subscribers.remove(s));
    client.keepAlive();
    subscribers.add(s);
    // An opening comment: the client knows at once that the stream is up.
    client.sendComment("connected");
  }

  /** Number of connected clients. */
  int clients() {
    return subscribers.size();
  }

  /** Sends the journal row {@code row} to every client whose filter it passes. */
  void publish(Map<String, Object> row) {
    String data = null;
    for (Subscriber s : subscribers) {
      if (s.filter().accepts(row)) {
        if (data == null) {
          data = Json.line(row);
        }
        send(s, data, String.valueOf(row.get("id")));
      }
    }
  }

  private void send(Subscriber s, String data, String id) {
    try {
      if (s.client().terminated()) {
        subscribers.remove(s);
        return;
      }
      // One writer at a time per stream: the ingest, request threads and the keep-alive all send.
      synchronized (s) {
        s.client().sendEvent("message", data, id);
      }
    } catch (RuntimeException e) {
      // A client that went away mid-write: it is dropped; the others still get the message.
      subscribers.remove(s);
    }
  }

  private void ping() {
    for (Subscriber s : subscribers) {
      try {
        if (s.client().terminated()) {
          subscribers.remove(s);
        } else {
          synchronized (s) {
            s.client().sendComment("keep-alive");
          }
        }
      } catch (RuntimeException e) {
        subscribers.remove(s);
      }
    }
  }

  @Override
  public void close() {
    keepAlive.shutdownNow();
    for (Subscriber s : subscribers) {
      try {
        s.client().close();
      } catch (RuntimeException e) {
        // Closing anyway.
      }
    }
    subscribers.clear();
  }
}

package io.beamline.io.kafka;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a bootstrap address leads to Kafka brokers, before any Kafka client connects there.
 *
 * <p>Two dangers make this necessary. Kafka clients retry an absent broker for a minute or more, so
 * a typo in a bootstrap address looks like a hang. Worse, a client pointed at a service that is not
 * Kafka reads the first four bytes of its answer as a frame size and allocates that much: an HTTP
 * server's {@code "HTTP"} is 1.2 GB, enough to exhaust the heap (Kafka 3.9 has no client setting
 * that bounds it). This check speaks Kafka's protocol itself with a bounded reader ({@link
 * KafkaProbe}: at most 1 MiB per answer, one deadline for everything): every address of the list
 * (every IP a name resolves to) must be a Kafka broker or not listen at all, at least one must be a
 * broker, and every broker those advertise (where clients connect next) must answer as one too.
 *
 * <pre>{@code
 * KafkaPreflight.check("localhost:9092", Duration.ofSeconds(5));
 * }</pre>
 */
public final class KafkaPreflight {
  private KafkaPreflight() {}

  /**
   * Returns the addresses the brokers at {@code bootstrap} advertise once they all answered as
   * Kafka brokers, or throws.
   *
   * @param bootstrap comma-separated {@code host:port} list, as Kafka's {@code bootstrap.servers}
   * @param timeout overall limit, positive (5 s is a sensible default)
   * @throws IllegalArgumentException if {@code bootstrap} is not a {@code host:port} list
   * @throws KafkaUnreachableException one line naming the address and what answered there: nothing
   *     ({@link KafkaUnreachableException#notKafka()} false), or a service that is not a usable
   *     Kafka broker (true)
   */
  public static List<String> check(String bootstrap, Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    List<InetSocketAddress> addresses = parse(bootstrap);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> unreachable = new ArrayList<>();
    Set<String> probed = new LinkedHashSet<>();
    Map<String, KafkaProbe.Broker> advertised = new LinkedHashMap<>();
    boolean anyKafka = false;
    for (InetSocketAddress given : addresses) {
      String name = given.getHostString() + ":" + given.getPort();
      List<InetSocketAddress> ips = resolve(given);
      if (ips.isEmpty()) {
        unreachable.add(name + " (unknown host)");
        continue;
      }
      boolean anyAnswered = false;
      String why = null;
      for (InetSocketAddress ip : ips) {
        probed.add(ip.getAddress().getHostAddress() + ":" + ip.getPort());
        KafkaProbe.Answer a = KafkaProbe.probe(ip, deadline, true);
        if (a.isKafka()) {
          anyAnswered = true;
          a.brokers().forEach(b -> advertised.putIfAbsent(b.address(), b));
        } else if (a.verdict() == KafkaProbe.Verdict.NOT_LISTENING
            || a.verdict() == KafkaProbe.Verdict.UNKNOWN_HOST) {
          why = a.detail();
        } else {
          // A client could connect here too: one address that is not Kafka spoils the list.
          throw new KafkaUnreachableException(
              notKafka(name, ips.size() > 1 ? ip : null, a, timeout), true);
        }
      }
      if (anyAnswered) {
        anyKafka = true;
      } else {
        unreachable.add(name + " (" + why + ")");
      }
    }
    if (!anyKafka) {
      throw new KafkaUnreachableException("no Kafka broker at " + String.join(", ", unreachable));
    }
    for (KafkaProbe.Broker b : advertised.values()) {
      InetSocketAddress at = new InetSocketAddress(b.host(), b.port());
      if (!at.isUnresolved()
          && probed.contains(at.getAddress().getHostAddress() + ":" + b.port())) {
        continue;
      }
      KafkaProbe.Answer a = KafkaProbe.probe(at, deadline, false);
      if (!a.isKafka()) {
        throw new KafkaUnreachableException(
            "the Kafka broker at "
                + bootstrap
                + " advertises broker "
                + b.nodeId()
                + " as "
                + b.address()
                + ", where "
                + (a.verdict() == KafkaProbe.Verdict.NOT_LISTENING
                        || a.verdict() == KafkaProbe.Verdict.UNKNOWN_HOST
                    ? "nothing answers from here (" + a.detail() + ")"
                    : "something that is not a Kafka broker answers (it "
                        + detail(a, timeout)
                        + ")")
                + "; clients connect to advertised addresses: fix the broker's advertised.listeners",
            true);
      }
    }
    return List.copyOf(advertised.keySet());
  }

  private static String notKafka(
      String name, InetSocketAddress ip, KafkaProbe.Answer a, Duration timeout) {
    String at = ip == null ? name : name + " (" + ip.getAddress().getHostAddress() + ")";
    if (a.verdict() == KafkaProbe.Verdict.SILENT) {
      return at
          + " did not answer a Kafka request within "
          + seconds(timeout)
          + " (it accepted the connection and stayed silent): it is not a Kafka broker, or a stuck"
          + " one";
    }
    return at + " is not a Kafka broker (it " + detail(a, timeout) + ")";
  }

  private static String detail(KafkaProbe.Answer a, Duration timeout) {
    return a.verdict() == KafkaProbe.Verdict.SILENT
        ? "accepted the connection but did not answer within " + seconds(timeout)
        : a.detail();
  }

  /** Every IP address of the host, in the order the resolver gives; empty for an unknown host. */
  private static List<InetSocketAddress> resolve(InetSocketAddress given) {
    List<InetSocketAddress> out = new ArrayList<>();
    try {
      for (InetAddress ip : InetAddress.getAllByName(given.getHostString())) {
        out.add(new InetSocketAddress(ip, given.getPort()));
      }
    } catch (UnknownHostException e) {
      return List.of();
    }
    return out;
  }

  /** Parses a {@code host:port[,host:port...]} list, failing with one line naming the value. */
  static List<InetSocketAddress> parse(String bootstrap) {
    String bad =
        "Kafka bootstrap '"
            + bootstrap
            + "' is not a host:port list (e.g. localhost:9092,broker2:9092)";
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException(bad);
    }
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : bootstrap.split(",")) {
      String hostPort = part.trim();
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException(bad);
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(bad);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(bad);
      }
      out.add(InetSocketAddress.createUnresolved(host, port));
    }
    return out;
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format("%.1f s", ms / 1000.0);
  }
}

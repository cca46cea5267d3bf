package io.beamline.io.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;

/**
 * Checks, before a pipeline is built, that a Kafka broker answers at a bootstrap address.
 *
 * <p>Kafka clients retry an absent broker for a minute or more by default, so a typo in a bootstrap
 * address would otherwise look like a hang. This check opens a TCP connection to each address and
 * then asks the cluster for its nodes, all within one deadline.
 *
 * <pre>{@code
 * KafkaPreflight.check("localhost:9092", Duration.ofSeconds(5));
 * }</pre>
 */
public final class KafkaPreflight {
  private KafkaPreflight() {}

  /**
   * Returns once a broker at {@code bootstrap} answers a metadata request, or throws.
   *
   * @param bootstrap comma-separated {@code host:port} list, as Kafka's {@code bootstrap.servers}
   * @param timeout overall limit, positive (5 s is a sensible default)
   * @throws IllegalArgumentException if {@code bootstrap} is not a {@code host:port} list
   * @throws KafkaUnreachableException with one line naming the address and the fix, if no broker
   *     answered within {@code timeout}
   */
  public static void check(String bootstrap, Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    List<InetSocketAddress> addresses = parse(bootstrap);
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean anyConnected = false;
    for (InetSocketAddress address : addresses) {
      long leftMs = remainingMs(deadline);
      if (leftMs <= 0) {
        break;
      }
      if (address.isUnresolved()) {
        continue;
      }
      try (Socket socket = new Socket()) {
        socket.connect(address, (int) Math.min(Integer.MAX_VALUE, leftMs));
        anyConnected = true;
        break;
      } catch (IOException e) {
        // Refused or timed out: try the next address.
      }
    }
    if (!anyConnected || !answersMetadata(bootstrap, deadline)) {
      throw new KafkaUnreachableException(
          "Kafka broker unreachable at "
              + bootstrap
              + " within "
              + seconds(timeout)
              + "; start it or omit --kafka-bootstrap to use the embedded broker");
    }
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
      out.add(new InetSocketAddress(host, port));
    }
    return out;
  }

  private static boolean answersMetadata(String bootstrap, long deadline) {
    int leftMs = (int) Math.min(Integer.MAX_VALUE, remainingMs(deadline));
    if (leftMs <= 0) {
      return false;
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, leftMs);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, leftMs);
    props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(leftMs, 1000));
    props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, leftMs);
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      return false;
    }
    try {
      return !admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(leftMs))
          .nodes()
          .get(leftMs + 1000L, TimeUnit.MILLISECONDS)
          .isEmpty();
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  private static long remainingMs(long deadlineNanos) {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format("%.1f s", ms / 1000.0);
  }
}

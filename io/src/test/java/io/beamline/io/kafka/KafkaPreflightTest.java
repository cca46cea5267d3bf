package io.beamline.io.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaPreflightTest {
  /** Guard against a hang only; the checks themselves are bounded by their own timeouts. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @Test
  void refusedPortFailsWithOneLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    KafkaUnreachableException e =
        assertTimeoutPreemptively(
            HANG_GUARD,
            () ->
                assertThrows(
                    KafkaUnreachableException.class,
                    () -> KafkaPreflight.check(bootstrap, Duration.ofSeconds(5))));
    assertEquals(
        "Kafka broker unreachable at "
            + bootstrap
            + " within 5 s; start it or omit --kafka-bootstrap to use the embedded broker",
        e.getMessage());
  }

  @Test
  void listeningSocketThatIsNotKafkaFails() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      String bootstrap = "127.0.0.1:" + s.getLocalPort();
      KafkaUnreachableException e =
          assertTimeoutPreemptively(
              HANG_GUARD,
              () ->
                  assertThrows(
                      KafkaUnreachableException.class,
                      () -> KafkaPreflight.check(bootstrap, Duration.ofMillis(1500))));
      assertEquals(
          "Kafka broker unreachable at "
              + bootstrap
              + " within 1.5 s; start it or omit --kafka-bootstrap to use the embedded broker",
          e.getMessage());
    }
  }

  @Test
  void unknownHostFails() {
    assertTimeoutPreemptively(
        HANG_GUARD,
        () ->
            assertThrows(
                KafkaUnreachableException.class,
                () -> KafkaPreflight.check("no-such-host.invalid:9092", Duration.ofSeconds(2))));
  }

  @Test
  void malformedBootstrapIsRejected() {
    for (String bad : new String[] {"", "localhost", "localhost:", "host:notaport", "h:70000"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> KafkaPreflight.check(bad, Duration.ofSeconds(1)));
      assertEquals(
          "Kafka bootstrap '"
              + bad
              + "' is not a host:port list (e.g. localhost:9092,broker2:9092)",
          e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> KafkaPreflight.check("localhost:9092", Duration.ZERO));
  }

  @Test
  void bundledIndexListsTheBrokerJars() {
    var names = BrokerLibs.index();
    org.hamcrest.MatcherAssert.assertThat(
        names,
        org.hamcrest.Matchers.hasItems(
            "kafka_2.13-3.9.1.jar", "kafka-clients-3.9.1.jar", "log4j-slf4j2-impl-2.20.0.jar"));
    // Nothing of Beam, Spark or the Scala 2.12 world may leak into the broker's class path.
    for (String n : names) {
      org.hamcrest.MatcherAssert.assertThat(
          n, org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("beam")));
      org.hamcrest.MatcherAssert.assertThat(
          n, org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("_2.12")));
    }
  }
}

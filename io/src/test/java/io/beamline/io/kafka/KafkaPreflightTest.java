package io.beamline.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preflight against real servers on loopback that are not Kafka (the broker itself is checked
 * in {@code EmbeddedKafkaIT}): each must be named in one line, within the deadline, without reading
 * more than the probe's bounded frame.
 */
class KafkaPreflightTest {
  /** Guard against a hang only; the checks themselves are bounded by their own timeouts. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static KafkaUnreachableException refused(String bootstrap, Duration timeout) {
    return assertTimeoutPreemptively(
        HANG_GUARD,
        () ->
            assertThrows(
                KafkaUnreachableException.class, () -> KafkaPreflight.check(bootstrap, timeout)));
  }

  @Test
  void refusedPortFailsWithOneLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
    assertEquals("no Kafka broker at " + bootstrap + " (connection refused)", e.getMessage());
    assertFalse(e.notKafka());
  }

  @Test
  void anHttpServerIsNamedAsHttpAtOnce() throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> ex.sendResponseHeaders(204, -1));
    http.start();
    try {
      String bootstrap = "127.0.0.1:" + http.getAddress().getPort();
      long t0 = System.nanoTime();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertEquals(
          bootstrap + " is not a Kafka broker (it answered HTTP: \"HTTP/1.1 400 Bad Request\")",
          e.getMessage());
      assertTrue(e.notKafka());
      // The JDK's server reads line by line: the probe's request ends its line, so it answers now.
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), lessThan(3_000L));
    } finally {
      http.stop(0);
    }
  }

  @Test
  void aServerThatClosesAtOnceIsNamed() throws Exception {
    try (Loopback server = new Loopback(Socket::close)) {
      String bootstrap = "127.0.0.1:" + server.port();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertEquals(
          bootstrap
              + " is not a Kafka broker (it closed the connection without answering a Kafka"
              + " request)",
          e.getMessage());
      assertTrue(e.notKafka());
    }
  }

  @Test
  void aSilentServerIsNamedAtTheDeadline() throws Exception {
    try (Loopback server = new Loopback(s -> {})) {
      String bootstrap = "127.0.0.1:" + server.port();
      long t0 = System.nanoTime();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofMillis(1500));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(
          bootstrap
              + " did not answer a Kafka request within 1.5 s (it accepted the connection and"
              + " stayed silent): it is not a Kafka broker, or a stuck one",
          e.getMessage());
      assertTrue(e.notKafka());
      assertTrue(ms >= 1400 && ms < 5_000, "took " + ms + " ms");
    }
  }

  @Test
  void aBannerIsQuotedNotReadAsAFrameSize() throws Exception {
    // "SSH-" as a frame size is 1.39 GB: the probe must name it instead of reading it.
    try (Loopback server = new Loopback(s -> write(s, "SSH-2.0-OpenSSH_9.6\r\n"))) {
      String bootstrap = "127.0.0.1:" + server.port();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertEquals(
          bootstrap + " is not a Kafka broker (it answered \"SSH-2.0-OpenSSH_9.6\")",
          e.getMessage());
    }
  }

  @Test
  void anHtmlPageWithoutStatusLineIsHttpToo() throws Exception {
    // Python's http.server answers a request line without a version (HTTP/0.9) with the page only.
    try (Loopback server =
        new Loopback(s -> write(s, "<!DOCTYPE HTML>\n<html lang=\"en\"><head>\n"))) {
      String bootstrap = "127.0.0.1:" + server.port();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertEquals(
          bootstrap
              + " is not a Kafka broker (it answered HTTP, an HTML page: \"<!DOCTYPE HTML>\")",
          e.getMessage());
    }
  }

  @Test
  void binaryGarbageIsShownInHex() throws Exception {
    // A frame size of 2^31-1 with no frame: far above the probe's 1 MiB cap.
    try (Loopback server = new Loopback(s -> write(s, new byte[] {0x7f, -1, -1, -1, 1, 2}))) {
      String bootstrap = "127.0.0.1:" + server.port();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertEquals(
          bootstrap
              + " is not a Kafka broker (it answered bytes that are not a Kafka answer: 7f ff ff"
              + " ff 01 02)",
          e.getMessage());
    }
  }

  @Test
  void aTlsServerIsNamedAsTls() throws Exception {
    SSLContext tls = selfSignedTls();
    try (SSLServerSocket server =
        (SSLServerSocket)
            tls.getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  s.startHandshake();
                } catch (IOException expected) {
                  // The probe's plaintext is no TLS handshake: the server sends an alert and ends.
                }
              });
      t.setDaemon(true);
      t.start();
      String bootstrap = "127.0.0.1:" + server.getLocalPort();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertEquals(
          bootstrap
              + " is not a Kafka broker (it answered TLS; Beamline speaks plaintext Kafka: give a"
              + " PLAINTEXT listener)",
          e.getMessage());
    }
  }

  @Test
  void oneNonKafkaAddressInTheListSpoilsIt() throws Exception {
    int free;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = s.getLocalPort();
    }
    try (Loopback server = new Loopback(Socket::close)) {
      String bootstrap = "127.0.0.1:" + free + ",127.0.0.1:" + server.port();
      KafkaUnreachableException e = refused(bootstrap, Duration.ofSeconds(5));
      assertTrue(e.getMessage().startsWith("127.0.0.1:" + server.port() + " is not a Kafka"));
    }
  }

  @Test
  void unknownHostFails() {
    KafkaUnreachableException e = refused("no-such-host.invalid:9092", Duration.ofSeconds(2));
    assertEquals("no Kafka broker at no-such-host.invalid:9092 (unknown host)", e.getMessage());
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

  private static void write(Socket s, String text) {
    write(s, text.getBytes(StandardCharsets.US_ASCII));
  }

  private static void write(Socket s, byte[] bytes) {
    try {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A TLS context with a fresh self-signed key made by the JDK's keytool. */
  private SSLContext selfSignedTls() throws Exception {
    Path ks = dir.resolve("server.p12");
    String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                keytool,
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    try (InputStream out = p.getInputStream()) {
      out.readAllBytes();
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(ks.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** A TCP server on loopback that hands each accepted connection to {@code onAccept}. */
  static final class Loopback implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    Loopback(ThrowingConsumer onAccept) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Consumer<Socket> handle =
          s -> {
            try {
              onAccept.accept(s);
            } catch (IOException e) {
              // The peer went away.
            }
          };
      acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    held.add(s);
                    handle.accept(s);
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "loopback");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.close();
      for (Socket s : held) {
        s.close();
      }
      acceptor.join(5_000);
    }
  }

  /** What a {@link Loopback} does with a connection. */
  interface ThrowingConsumer {
    void accept(Socket s) throws IOException;
  }
}

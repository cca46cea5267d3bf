package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code constellation --kafka-bootstrap} pointed at a service that is not Kafka, each a real
 * server on loopback: the command line, run as users run it in its own JVM with a 256 MB heap, must
 * stop within seconds with one line naming the address and the fix, exit 2, write nothing, and
 * never allocate the frame a Kafka client reads from a non-Kafka answer ("HTTP" read as a 1.2 GB
 * frame size).
 */
class ConstellationKafkaSafetyIT {
  static final String JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path dir;

  record Proc(int code, String out, String err, long millis) {
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** The CLI in a child JVM with a 256 MB heap (the reactor's class path, as the jar holds). */
  static Proc cli(Path cwd, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(JAVA);
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Beamline.class.getName());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(cwd, "proc", ".out");
    Path err = Files.createTempFile(cwd, "proc", ".err");
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out: " + cmd + "\n" + Files.readString(err));
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    return new Proc(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8),
        ms);
  }

  private Proc constellationAt(String bootstrap, Path out) throws Exception {
    return cli(
        dir,
        "constellation",
        "--duration",
        "1",
        "--output-dir",
        out.toString(),
        "--subject-id",
        "subj123",
        "--session-id",
        "sessA",
        "--kafka-bootstrap",
        bootstrap);
  }

  /** The one error line, and everything the user must be able to act on. */
  private static void assertRefused(Proc p, String address, String why, Path out) {
    assertEquals(2, p.code(), p.err());
    assertThat(p.err(), not(containsString("OutOfMemoryError")));
    assertThat(p.err(), not(containsString("\tat ")));
    List<String> lines =
        p.errLines().stream().filter(l -> l.startsWith("beamline constellation:")).toList();
    assertEquals(1, lines.size(), p.err());
    String line = lines.get(0);
    assertThat(line, containsString(address));
    assertThat(line, containsString(why));
    assertThat(line, containsString("check --kafka-bootstrap or use --no-kafka"));
    assertFalse(Files.exists(out), "validation wrote " + out);
    // JVM start, class loading and a 5 s probe deadline: well under a Kafka client's retries.
    assertThat(p.millis(), lessThan(60_000L));
  }

  @Test
  void anHttpServerIsNamedAsHttp() throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        ex -> {
          byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    http.start();
    try {
      String address = "127.0.0.1:" + http.getAddress().getPort();
      Path out = dir.resolve("http");
      Proc p = constellationAt(address, out);
      assertRefused(p, address, "is not a Kafka broker (it answered HTTP", out);
    } finally {
      http.stop(0);
    }
  }

  @Test
  void aServerThatClosesAtOnceIsNamed() throws Exception {
    try (Loopback server = new Loopback(false)) {
      String address = "127.0.0.1:" + server.port();
      Path out = dir.resolve("closes");
      Proc p = constellationAt(address, out);
      assertRefused(p, address, "closed the connection without answering", out);
      assertTrue(server.accepted() > 0, "the probe connected");
    }
  }

  @Test
  void aSilentServerIsNamedWithinTheDeadline() throws Exception {
    try (Loopback server = new Loopback(true)) {
      String address = "127.0.0.1:" + server.port();
      Path out = dir.resolve("silent");
      Proc p = constellationAt(address, out);
      assertRefused(p, address, "did not answer", out);
      assertTrue(server.accepted() > 0, "the probe connected");
    }
  }

  @Test
  void aServerThatSpeaksFirstIsNamedWithoutReadingItsBannerAsAFrame() throws Exception {
    // "SSH-" read as a Kafka frame size is 1.39 GB: a Kafka client allocates it and fails.
    try (Loopback server = new Loopback("SSH-2.0-OpenSSH_9.6\r\n")) {
      String address = "127.0.0.1:" + server.port();
      Path out = dir.resolve("banner");
      Proc p = constellationAt(address, out);
      assertRefused(p, address, "is not a Kafka broker (it answered \"SSH-2.0-OpenSSH_9.6\")", out);
    }
  }

  @Test
  void nothingListeningIsAOneLineErrorToo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String address = "127.0.0.1:" + port;
    Path out = dir.resolve("refused");
    Proc p = constellationAt(address, out);
    assertEquals(2, p.code(), p.err());
    List<String> lines =
        p.errLines().stream().filter(l -> l.startsWith("beamline constellation:")).toList();
    assertEquals(1, lines.size(), p.err());
    assertThat(lines.get(0), containsString("no Kafka broker at " + address));
    assertThat(lines.get(0), containsString("--no-kafka"));
    assertFalse(Files.exists(out));
  }

  /**
   * A TCP server on loopback that accepts every connection and then closes it at once, keeps it
   * open without ever writing, or writes a greeting first (as SSH, SMTP or FTP servers do) and
   * keeps it open.
   */
  static final class Loopback implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile int accepted;

    Loopback(boolean silent) throws IOException {
      this(silent, null);
    }

    Loopback(String greeting) throws IOException {
      this(true, greeting);
    }

    private Loopback(boolean silent, String greeting) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    accepted++;
                    if (greeting != null) {
                      s.getOutputStream().write(greeting.getBytes(StandardCharsets.US_ASCII));
                      s.getOutputStream().flush();
                    }
                    if (silent) {
                      held.add(s);
                    } else {
                      s.close();
                    }
                  } catch (IOException e) {
                    return; // closed
                  }
                }
              },
              "loopback-" + (greeting != null ? "greeting" : silent ? "silent" : "closing"));
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted;
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
}

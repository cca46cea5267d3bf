package io.beamline.io.kafka;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One bounded conversation with whatever listens at an address, in Kafka's wire protocol: an {@code
 * ApiVersions} request (v0, understood by every broker since 0.10), then, if the answer is a Kafka
 * answer, a {@code Metadata} request for no topics (v4 to v8, whichever the broker supports) to
 * learn the brokers it advertises.
 *
 * <p>Kafka's own clients trust the first four bytes of any answer as the size of the frame that
 * follows and allocate it: an HTTP server's {@code "HTTP"} becomes a 1.2 GB buffer, an SSH banner's
 * {@code "SSH-"} 1.4 GB (Kafka 3.9 has no client setting that bounds it; KIP-498 was not adopted).
 * This probe reads at most {@value #MAX_FRAME} bytes of any answer, and never waits past its
 * deadline, so it can safely tell a Kafka broker from anything else before a client connects.
 */
final class KafkaProbe {
  /** Largest answer read: an ApiVersions or no-topic Metadata answer is a few kilobytes. */
  static final int MAX_FRAME = 1 << 20;

  /**
   * Correlation id of the ApiVersions request. Any int is valid to Kafka, which echoes it; this one
   * is {@code "\r\n\r\n"} in ASCII, so that an HTTP server that reads the request line by line (the
   * JDK's, Python's) sees a complete, malformed request and answers 400 at once instead of waiting
   * for the rest of a line that never comes.
   */
  static final int API_VERSIONS_CORRELATION = 0x0D0A0D0A;

  private static final int METADATA_CORRELATION = 0x0D0A0D0B;
  private static final short API_VERSIONS = 18;
  private static final short METADATA = 3;
  private static final byte[] CLIENT_ID = "beamline-preflight".getBytes(StandardCharsets.US_ASCII);

  /** How long to keep reading the rest of a non-Kafka answer, to quote its first line. */
  private static final long QUOTE_WAIT_MS = 300;

  private KafkaProbe() {}

  /** What listens at an address. */
  enum Verdict {
    /** It answered ApiVersions in Kafka's protocol. */
    KAFKA,
    /** No host of that name. */
    UNKNOWN_HOST,
    /** Nothing accepted the connection (refused, unreachable, or no answer to it in time). */
    NOT_LISTENING,
    /** It accepted and then closed the connection without a byte. */
    CLOSED,
    /** It accepted the connection but sent nothing before the deadline. */
    SILENT,
    /** It answered something that is not a Kafka answer. */
    NOT_KAFKA
  }

  /** A broker as a Kafka metadata answer advertises it. */
  record Broker(int nodeId, String host, int port) {
    String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * The outcome of one probe.
   *
   * @param verdict what listens there
   * @param detail why, in words that complete "it ..." (e.g. {@code answered HTTP: "HTTP/1.1 400
   *     Bad Request"}); empty for {@link Verdict#KAFKA}
   * @param brokers the brokers it advertises (empty when not asked or not known)
   */
  record Answer(Verdict verdict, String detail, List<Broker> brokers) {
    boolean isKafka() {
      return verdict == Verdict.KAFKA;
    }
  }

  /**
   * Talks to {@code address} until {@code deadlineNanos} ({@link System#nanoTime()}) at the latest.
   *
   * @param askMetadata whether to ask a Kafka broker which brokers it advertises
   */
  static Answer probe(InetSocketAddress address, long deadlineNanos, boolean askMetadata) {
    if (address.isUnresolved()) {
      return new Answer(Verdict.UNKNOWN_HOST, "unknown host", List.of());
    }
    try (Socket socket = new Socket()) {
      try {
        socket.connect(address, timeoutMs(deadlineNanos));
      } catch (SocketTimeoutException e) {
        return new Answer(Verdict.NOT_LISTENING, "no answer to the connection in time", List.of());
      } catch (ConnectException e) {
        return new Answer(Verdict.NOT_LISTENING, "connection refused", List.of());
      } catch (IOException e) {
        return new Answer(Verdict.NOT_LISTENING, oneLine(e), List.of());
      }
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(request(API_VERSIONS, (short) 0, API_VERSIONS_CORRELATION, new byte[0]));
      out.flush();
      Frame f = readFrame(socket, in, deadlineNanos);
      if (f.problem != null) {
        return f.problem;
      }
      short[][] apis;
      try {
        apis = apiVersions(f.body);
      } catch (BufferUnderflowException | IllegalStateException e) {
        return new Answer(
            Verdict.NOT_KAFKA,
            "answered " + f.body.length + " bytes that are not a Kafka ApiVersions answer",
            List.of());
      }
      if (!askMetadata) {
        return new Answer(Verdict.KAFKA, "", List.of());
      }
      int version = metadataVersion(apis);
      if (version < 0) {
        // A broker too old or too new for the plain (non-flexible) Metadata versions read here.
        return new Answer(Verdict.KAFKA, "", List.of());
      }
      out.write(request(METADATA, (short) version, METADATA_CORRELATION, metadataBody(version)));
      out.flush();
      Frame m = readFrame(socket, in, deadlineNanos);
      if (m.problem != null) {
        return new Answer(
            m.problem.verdict(), m.problem.detail() + " after its ApiVersions answer", List.of());
      }
      try {
        return new Answer(Verdict.KAFKA, "", brokers(m.body));
      } catch (BufferUnderflowException | IllegalStateException e) {
        return new Answer(
            Verdict.NOT_KAFKA,
            "answered ApiVersions but not Metadata in Kafka's protocol",
            List.of());
      }
    } catch (IOException e) {
      return new Answer(Verdict.CLOSED, "failed the conversation: " + oneLine(e), List.of());
    }
  }

  /** A frame's body, or why there is none. */
  private record Frame(byte[] body, Answer problem) {}

  /**
   * Reads one size-prefixed frame of at most {@link #MAX_FRAME} bytes. Anything else (an answer in
   * another protocol, a close, silence) becomes the problem answer.
   */
  private static Frame readFrame(Socket socket, InputStream in, long deadlineNanos)
      throws IOException {
    byte[] head = new byte[4];
    int got = 0;
    while (got < 4) {
      int n;
      try {
        socket.setSoTimeout(timeoutMs(deadlineNanos));
        n = in.read(head, got, 4 - got);
      } catch (SocketTimeoutException e) {
        if (got == 0) {
          return new Frame(
              null,
              new Answer(
                  Verdict.SILENT,
                  "accepted the connection but did not answer a Kafka request in time",
                  List.of()));
        }
        n = -1;
      }
      if (n < 0) {
        if (got == 0) {
          return new Frame(
              null,
              new Answer(
                  Verdict.CLOSED,
                  "closed the connection without answering a Kafka request",
                  List.of()));
        }
        return new Frame(null, notKafka(head, got, new byte[0]));
      }
      got += n;
    }
    int size = ByteBuffer.wrap(head).getInt();
    if (size < 4 || size > MAX_FRAME || looksLikeText(head) || looksLikeTls(head)) {
      return new Frame(null, notKafka(head, 4, quoteRest(socket, in)));
    }
    byte[] body = new byte[size];
    DataInputStream data = new DataInputStream(in);
    try {
      socket.setSoTimeout(timeoutMs(deadlineNanos));
      data.readFully(body);
    } catch (SocketTimeoutException e) {
      return new Frame(
          null,
          new Answer(
              Verdict.SILENT,
              "announced a " + size + "-byte answer but did not send it in time",
              List.of()));
    } catch (EOFException e) {
      return new Frame(
          null,
          new Answer(
              Verdict.NOT_KAFKA, "announced a " + size + "-byte frame and closed", List.of()));
    }
    return new Frame(body, null);
  }

  /** Up to 120 more bytes of a non-Kafka answer, waiting at most {@value #QUOTE_WAIT_MS} ms. */
  private static byte[] quoteRest(Socket socket, InputStream in) {
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUOTE_WAIT_MS);
    byte[] buf = new byte[120];
    try {
      while (rest.size() < buf.length) {
        int left = timeoutMs(until);
        socket.setSoTimeout(left);
        int n = in.read(buf, 0, buf.length - rest.size());
        if (n < 0) {
          break;
        }
        rest.write(buf, 0, n);
        if (indexOfLineEnd(rest.toByteArray()) >= 0) {
          break;
        }
      }
    } catch (IOException e) {
      // Timed out or reset: quote what arrived.
    }
    return rest.toByteArray();
  }

  /** Describes an answer that is not Kafka's from its first bytes. */
  private static Answer notKafka(byte[] head, int headLength, byte[] rest) {
    byte[] all = new byte[headLength + rest.length];
    System.arraycopy(head, 0, all, 0, headLength);
    System.arraycopy(rest, 0, all, headLength, rest.length);
    String detail;
    if (headLength >= 4 && looksLikeTls(head)) {
      detail = "answered TLS; Beamline speaks plaintext Kafka: give a PLAINTEXT listener";
    } else if (headLength >= 4
        && new String(head, 0, 4, StandardCharsets.US_ASCII).equals("HTTP")) {
      detail = "answered HTTP: \"" + firstLine(all) + "\"";
    } else if (isHtml(firstLine(all))) {
      // An HTTP server answering a request line without a version (HTTP/0.9): the page alone.
      detail = "answered HTTP, an HTML page: \"" + firstLine(all) + "\"";
    } else if (printable(all, Math.min(all.length, 4))) {
      detail = "answered \"" + firstLine(all) + "\"";
    } else {
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < Math.min(all.length, 8); i++) {
        hex.append(i == 0 ? "" : " ").append(String.format("%02x", all[i] & 0xff));
      }
      detail = "answered bytes that are not a Kafka answer: " + hex;
    }
    return new Answer(Verdict.NOT_KAFKA, detail, List.of());
  }

  private static String firstLine(byte[] b) {
    int end = indexOfLineEnd(b);
    String s = new String(b, 0, end < 0 ? b.length : end, StandardCharsets.US_ASCII);
    s = s.replaceAll("[^\\x20-\\x7e]", "?");
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static boolean isHtml(String line) {
    String l = line.stripLeading().toLowerCase(java.util.Locale.ROOT);
    return l.startsWith("<!doctype html") || l.startsWith("<html");
  }

  private static int indexOfLineEnd(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\r' || b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static boolean looksLikeText(byte[] head) {
    return printable(head, 4);
  }

  private static boolean printable(byte[] b, int n) {
    for (int i = 0; i < n; i++) {
      int c = b[i] & 0xff;
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return n > 0;
  }

  /** A TLS record: handshake (22) or alert (21), protocol major version 3. */
  private static boolean looksLikeTls(byte[] head) {
    return (head[0] == 0x15 || head[0] == 0x16) && head[1] == 0x03;
  }

  /** A size-prefixed request with a v1 header (api key, version, correlation id, client id). */
  private static byte[] request(short apiKey, short version, int correlation, byte[] body) {
    int size = 2 + 2 + 4 + 2 + CLIENT_ID.length + body.length;
    ByteBuffer b = ByteBuffer.allocate(4 + size);
    b.putInt(size).putShort(apiKey).putShort(version).putInt(correlation);
    b.putShort((short) CLIENT_ID.length).put(CLIENT_ID).put(body);
    return b.array();
  }

  /** ApiVersions v0 answer: {@code [api key, min, max]} per API; throws if it is not one. */
  private static short[][] apiVersions(byte[] body) {
    ByteBuffer b = ByteBuffer.wrap(body);
    if (b.getInt() != API_VERSIONS_CORRELATION) {
      throw new IllegalStateException("correlation id");
    }
    b.getShort(); // error code: a broker refusing v0 still speaks Kafka (and lists its versions)
    int n = b.getInt();
    if (n < 0 || n > 10_000 || b.remaining() < 6L * n) {
      throw new IllegalStateException("api count " + n);
    }
    short[][] apis = new short[n][];
    for (int i = 0; i < n; i++) {
      apis[i] = new short[] {b.getShort(), b.getShort(), b.getShort()};
    }
    return apis;
  }

  /** The highest non-flexible Metadata version in 4..8 the broker accepts, or -1. */
  private static int metadataVersion(short[][] apis) {
    for (short[] a : apis) {
      if (a[0] == METADATA) {
        int v = Math.min(8, a[2]);
        return v >= Math.max(4, a[1]) ? v : -1;
      }
    }
    return -1;
  }

  /** Metadata v4-v8 request body: no topics, no auto-creation, no authorised operations. */
  private static byte[] metadataBody(int version) {
    ByteBuffer b = ByteBuffer.allocate(version >= 8 ? 7 : 5);
    b.putInt(0).put((byte) 0);
    if (version >= 8) {
      b.put((byte) 0).put((byte) 0);
    }
    return b.array();
  }

  /** The brokers of a Metadata v4-v8 answer (the fields after them are not needed). */
  private static List<Broker> brokers(byte[] body) {
    ByteBuffer b = ByteBuffer.wrap(body);
    if (b.getInt() != METADATA_CORRELATION) {
      throw new IllegalStateException("correlation id");
    }
    b.getInt(); // throttle_time_ms
    int n = b.getInt();
    if (n < 0 || n > 100_000) {
      throw new IllegalStateException("broker count " + n);
    }
    List<Broker> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = b.getInt();
      String host = string(b);
      int port = b.getInt();
      string(b); // rack
      if (host == null) {
        throw new IllegalStateException("broker without host");
      }
      out.add(new Broker(node, host, port));
    }
    return out;
  }

  private static String string(ByteBuffer b) {
    short len = b.getShort();
    if (len < 0) {
      return null;
    }
    byte[] s = new byte[len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  /** Milliseconds left until the deadline, at least 1 (0 would mean "forever" to a socket). */
  private static int timeoutMs(long deadlineNanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}

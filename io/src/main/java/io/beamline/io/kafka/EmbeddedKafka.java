package io.beamline.io.kafka;

import io.beamline.io.ShutdownOrder;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft mode, combined broker and controller) in a child JVM on
 * free loopback ports.
 *
 * <p>Why a child JVM: the Kafka server is built for Scala 2.13 while Spark, bundled in the same
 * runnable jar, needs Scala 2.12; they cannot share a class loader. The broker's jars travel inside
 * {@code beamline-io} as resources (see {@code io/pom.xml}) and are extracted once to a cache
 * directory. Start-up formats a fresh storage directory with a random cluster id, launches {@code
 * kafka.Kafka} and waits until an admin client sees the broker.
 *
 * <p>The broker stops with {@link #close()}, with a JVM shutdown hook, and, because the child
 * watches a pipe from this JVM, also when this JVM is killed outright: no broker process is left
 * behind.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   kafka.createTopic("raw.eeg.eeg01", 1);
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final int MAX_PORT_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 25;

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final Path logFile;
  private final Process process;
  private final String bootstrapServers;
  private final Thread shutdownHook;
  private Admin admin;
  private boolean closed;

  /**
   * Immutable start-up settings; {@code withX} methods return a copy and may be called in any
   * order.
   */
  public static final class Settings {
    private final Path dataDir;
    private final Path cacheDir;
    private final Duration startTimeout;
    private final int maxHeapMb;
    private final boolean autoCreateTopics;

    private Settings(
        Path dataDir,
        Path cacheDir,
        Duration startTimeout,
        int maxHeapMb,
        boolean autoCreateTopics) {
      this.dataDir = dataDir;
      this.cacheDir = cacheDir;
      this.startTimeout = startTimeout;
      this.maxHeapMb = maxHeapMb;
      this.autoCreateTopics = autoCreateTopics;
    }

    /**
     * Directory for the broker's log segments, configuration and {@code broker.log}. Default: a new
     * temporary directory, deleted by {@link #close()}; a given directory is kept.
     */
    public Settings withDataDir(Path dir) {
      return new Settings(
          Objects.requireNonNull(dir, "dataDir"),
          cacheDir,
          startTimeout,
          maxHeapMb,
          autoCreateTopics);
    }

    /**
     * Where the bundled broker jars are extracted (once per Kafka build). Default: {@code
     * ${java.io.tmpdir}/beamline-kafka-${user.name}}.
     */
    public Settings withCacheDir(Path dir) {
      return new Settings(
          dataDir,
          Objects.requireNonNull(dir, "cacheDir"),
          startTimeout,
          maxHeapMb,
          autoCreateTopics);
    }

    /** How long to wait for the broker to answer; positive. Default 120 s (cold JVM, busy CI). */
    public Settings withStartTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, got " + timeout);
      }
      return new Settings(dataDir, cacheDir, timeout, maxHeapMb, autoCreateTopics);
    }

    /** Maximum heap of the broker JVM in MiB, 128..65536. Default 512. */
    public Settings withMaxHeapMb(int mb) {
      if (mb < 128 || mb > 65536) {
        throw new IllegalArgumentException("maxHeapMb must be in [128, 65536], got " + mb);
      }
      return new Settings(dataDir, cacheDir, startTimeout, mb, autoCreateTopics);
    }

    /**
     * Whether producing to an unknown topic creates it ({@code auto.create.topics.enable}). Default
     * false, so a misspelt topic fails instead of silently receiving data; create topics with
     * {@link EmbeddedKafka#createTopic}.
     */
    public Settings withAutoCreateTopics(boolean enabled) {
      return new Settings(dataDir, cacheDir, startTimeout, maxHeapMb, enabled);
    }

    /** Starts a broker with these settings and returns once it answers. */
    public EmbeddedKafka start() throws IOException {
      return EmbeddedKafka.launch(this);
    }
  }

  /** The broker JVM's class archive: mapped, or written at its exit. */
  private final BrokerClassArchive.Plan classArchive;

  private EmbeddedKafka(
      Path dataDir,
      boolean ownsDataDir,
      Path logFile,
      Process process,
      String bootstrapServers,
      Thread shutdownHook,
      BrokerClassArchive.Plan classArchive) {
    this.dataDir = dataDir;
    this.classArchive = classArchive;
    this.ownsDataDir = ownsDataDir;
    this.logFile = logFile;
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.shutdownHook = shutdownHook;
  }

  /** Default settings: temporary data directory, 512 MiB heap, 120 s start timeout. */
  public static Settings settings() {
    return new Settings(
        null,
        Path.of(System.getProperty("java.io.tmpdir"), "beamline-kafka-" + userName()),
        Duration.ofSeconds(120),
        512,
        false);
  }

  /** Starts a broker with {@link #settings() default settings}. */
  public static EmbeddedKafka start() throws IOException {
    return settings().start();
  }

  /** {@code host:port} of the broker's plaintext listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The broker's combined standard output and error (Kafka's log). */
  public Path logFile() {
    return logFile;
  }

  /** The broker's data directory (configuration, {@code kraft-logs/}, {@code broker.log}). */
  public Path dataDir() {
    return dataDir;
  }

  /** Process id of the broker JVM. */
  public long pid() {
    return process.pid();
  }

  /** Whether the broker process is alive. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Creates a topic with replication factor 1; a topic that already exists is left as it is.
   *
   * @param name a legal Kafka topic name
   * @param partitions at least 1
   */
  public void createTopic(String name, int partitions) throws IOException {
    createTopics(List.of(name), partitions);
  }

  /** Creates several topics like {@link #createTopic}, in one request. */
  public synchronized void createTopics(Collection<String> names, int partitions)
      throws IOException {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (closed) {
      throw new IllegalStateException("EmbeddedKafka at " + bootstrapServers + " is closed");
    }
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, partitions, (short) 1));
    }
    var result = admin().createTopics(topics);
    for (var entry : result.values().entrySet()) {
      try {
        entry.getValue().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IOException(
              "Could not create topic '" + entry.getKey() + "': " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IOException("Creating topic '" + entry.getKey() + "' timed out after 60 s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while creating topic '" + entry.getKey() + "'", e);
      }
    }
  }

  /**
   * Stops the broker: closes its watchdog pipe (Kafka then shuts down cleanly), waits up to 30 s,
   * then kills it. Deletes the data directory if it was a temporary one. Idempotent.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    stop(process, Duration.ofSeconds(30), classArchive);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs (harmlessly) anyway.
    }
    if (ownsDataDir) {
      AtomicFiles.deleteTree(dataDir);
    }
  }

  private Admin admin() {
    if (admin == null) {
      admin = KafkaClients.admin(adminProps(bootstrapServers, 30_000));
    }
    return admin;
  }

  private static EmbeddedKafka launch(Settings settings) throws IOException {
    BrokerLibs.Extracted libs = BrokerLibs.extract(settings.cacheDir);
    boolean owns = settings.dataDir == null;
    Path dataDir =
        owns
            ? Files.createTempDirectory("beamline-kafka-")
            : Files.createDirectories(settings.dataDir);
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return launchOnce(settings, libs, dataDir, owns);
        } catch (PortTakenException e) {
          // Another process took a port between choosing it and the broker binding it.
          if (attempt == MAX_PORT_ATTEMPTS) {
            throw new IOException(e.getMessage(), e);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      if (owns) {
        try {
          AtomicFiles.deleteTree(dataDir);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** How long the JVM's exit keeps the broker up for runs draining on a signal, at most. */
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(90);

  private static EmbeddedKafka launchOnce(
      Settings settings, BrokerLibs.Extracted libs, Path dataDir, boolean owns) throws IOException {
    Path logDirs = dataDir.resolve("kraft-logs");
    AtomicFiles.deleteTree(logDirs);
    int[] ports = freePorts(2);
    String bootstrap = "127.0.0.1:" + ports[0];
    Path serverProps = dataDir.resolve("server.properties");
    AtomicFiles.writeString(serverProps, serverProperties(ports, logDirs, settings));
    Path log4j = dataDir.resolve("log4j2.properties");
    AtomicFiles.writeString(log4j, LOG4J2);
    Path logFile = dataDir.resolve("broker.log");

    List<String> command = javaCommand(libs, log4j, settings.maxHeapMb);
    BrokerClassArchive.Plan cds = BrokerClassArchive.plan(libs.root());
    command.addAll(cds.flags());
    command.add(BrokerLauncher.class.getName());
    command.add(Uuid.randomUuid().toString());
    command.add(serverProps.toString());
    Process process =
        new ProcessBuilder(command)
            .directory(dataDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    Thread hook =
        new Thread(
            () -> {
              // A run draining on Ctrl-C still reads from the broker: stop it after the drain.
              ShutdownOrder.awaitDrains(DRAIN_LIMIT);
              stop(process, Duration.ofSeconds(10), cds);
            },
            "beamline-embedded-kafka-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      awaitReady(process, bootstrap, logFile, settings.startTimeout);
    } catch (IOException | RuntimeException e) {
      stop(process, Duration.ofSeconds(10), cds);
      Runtime.getRuntime().removeShutdownHook(hook);
      throw e;
    }
    return new EmbeddedKafka(dataDir, owns, logFile, process, bootstrap, hook, cds);
  }

  /**
   * Polls the broker with {@link KafkaProbe} (bounded reads, no Kafka client: nothing retries or
   * logs in the background) until its metadata lists a broker.
   */
  private static void awaitReady(Process process, String bootstrap, Path logFile, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    InetSocketAddress address = KafkaPreflight.parse(bootstrap).get(0);
    address = new InetSocketAddress(address.getHostString(), address.getPort());
    while (true) {
      if (!process.isAlive()) {
        String tail = tail(logFile);
        if (tail.contains("Address already in use")) {
          throw new PortTakenException(
              "Embedded Kafka could not bind its ports; last lines of " + logFile + ":\n" + tail);
        }
        throw new IOException(
            "Embedded Kafka broker exited with code "
                + process.exitValue()
                + " while starting; last lines of "
                + logFile
                + ":\n"
                + tail);
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "Embedded Kafka broker at "
                + bootstrap
                + " did not answer within "
                + timeout.toSeconds()
                + " s; last lines of "
                + logFile
                + ":\n"
                + tail(logFile));
      }
      KafkaProbe.Answer a =
          KafkaProbe.probe(
              address, Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(2)), true);
      if (a.isKafka() && !a.brokers().isEmpty()) {
        return;
      }
      if (a.verdict() == KafkaProbe.Verdict.NOT_KAFKA) {
        // Another service took the port between choosing it and the broker binding it.
        throw new PortTakenException(
            "another service answers at " + bootstrap + " (it " + a.detail() + ")");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for the embedded Kafka broker", e);
      }
    }
  }

  /**
   * Closes the watchdog pipe, waits, then terminates and finally kills the process; keeps the class
   * archive it wrote only if it exited by itself (a terminated JVM may have left it half written).
   */
  private static void stop(Process process, Duration grace, BrokerClassArchive.Plan cds) {
    if (!process.isAlive()) {
      cds.discard();
      return;
    }
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.close();
    } catch (IOException e) {
      // Already closed: fall through to the waits below.
    }
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        cds.promote();
        return;
      }
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    cds.discard();
  }

  private static List<String> javaCommand(BrokerLibs.Extracted libs, Path log4j, int heapMb) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heapMb + "m");
    // A short-lived broker on a small machine shared with the pipeline: start fast, take little.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
    command.add("-cp");
    command.add(libs.classPath());
    return command;
  }

  private static String serverProperties(int[] ports, Path logDirs, Settings settings) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty(
        "listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",CONTROLLER://127.0.0.1:" + ports[1]);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[0]);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + ports[1]);
    p.setProperty("log.dirs", logDirs.toString());
    p.setProperty("auto.create.topics.enable", Boolean.toString(settings.autoCreateTopics));
    // One node: every internal topic has one replica.
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("min.insync.replicas", "1");
    // Consumers in tests and short runs should not wait for a rebalance delay.
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Few threads: the broker shares a small machine with the pipeline.
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.setProperty("background.threads", "2");
    StringBuilder out = new StringBuilder("# Written by io.beamline.io.kafka.EmbeddedKafka\n");
    p.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> out.append(k).append('=').append(p.getProperty(k)).append('\n'));
    return out.toString();
  }

  private static Properties adminProps(String bootstrap, int timeoutMs) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 10_000));
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    return props;
  }

  private static int[] freePorts(int n) throws IOException {
    int[] ports = new int[n];
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        s.setReuseAddress(true);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }

  /** The last {@value #LOG_TAIL_LINES} lines of a log file (empty if it cannot be read). */
  static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(could not read " + file + ": " + e.getMessage() + ")";
    }
  }

  private static String userName() {
    return System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static final class PortTakenException extends IOException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }

  private static final String LOG4J2 =
      String.join(
          "\n",
          "# Kafka's log, written to standard output (redirected to broker.log).",
          "status = warn",
          "appender.out.type = Console",
          "appender.out.name = out",
          "appender.out.layout.type = PatternLayout",
          "appender.out.layout.pattern = [%d] %p %m (%c{1})%n",
          "rootLogger.level = info",
          "rootLogger.appenderRef.out.ref = out",
          // The request logger and state-change logs are chatty and of no use here.
          "logger.request.name = kafka.request.logger",
          "logger.request.level = warn",
          "logger.state.name = state.change.logger",
          "logger.state.level = warn",
          "");
}

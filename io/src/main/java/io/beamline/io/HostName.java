package io.beamline.io;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * This machine's host name as every record and agent name gives it (run manifests, agent names,
 * heartbeats, metrics URLs, executor labels): looked up once per JVM, {@code localhost} when the
 * machine cannot resolve its own name.
 */
public final class HostName {
  private static volatile String name;
  private static final Optional<String> EXECUTOR = findExecutor();

  private HostName() {}

  /** The host name, e.g. {@code node17}, or {@code localhost}. */
  public static String get() {
    String n = name;
    if (n == null) {
      try {
        n = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        n = "localhost";
      }
      name = n;
    }
    return n;
  }

  /**
   * The Spark executor id when this JVM is a Spark executor; empty on the DirectRunner and on a
   * Spark driver (local mode), where one JVM does all the work. Spark is looked up by reflection:
   * it is on the class path only when the SparkRunner runs.
   */
  public static Optional<String> sparkExecutorId() {
    return EXECUTOR;
  }

  /**
   * This JVM as a worker in records: the host name, with {@code /executor-<id>} on a Spark
   * executor, so two executors on one host differ.
   */
  public static String worker() {
    return get() + sparkExecutorId().map(id -> "/executor-" + id).orElse("");
  }

  private static Optional<String> findExecutor() {
    try {
      Class<?> env = Class.forName("org.apache.spark.SparkEnv");
      Object current = env.getMethod("get").invoke(null);
      if (current == null) {
        return Optional.empty();
      }
      Object id = env.getMethod("executorId").invoke(current);
      if (id == null || "driver".equals(id)) {
        return Optional.empty();
      }
      return Optional.of(id.toString());
    } catch (ReflectiveOperationException | LinkageError e) {
      return Optional.empty();
    }
  }
}

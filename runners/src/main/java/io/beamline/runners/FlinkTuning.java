package io.beamline.runners;

import io.beamline.framework.OptionProperties;
import io.beamline.framework.run.RunLock;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;

/**
 * The command line's settings for the FlinkRunner (as {@code DirectTuning} for the DirectRunner),
 * each applied only where the command line does not name it:
 *
 * <ul>
 *   <li>An embedded cluster ({@code --flinkMaster} {@code [local]} or {@code [auto]}, the default)
 *       binds its REST endpoint and its BLOB server to 127.0.0.1: Flink's own defaults listen on
 *       every interface, and its REST API accepts jobs from anyone who reaches it. It gets a
 *       configuration directory of its own ({@link #loopbackConfDir}, which also holds Flink's
 *       temporary files) unless {@code --flinkConfDir} or {@code FLINK_CONF_DIR} gives one.
 *   <li>{@code --autoWatermarkInterval=200}: Beam's Flink source reader emits watermarks every 2 s
 *       when it is not set, so event-time windows (fast-monitoring histograms, streaming sync
 *       windows) would close up to 2 s late.
 *   <li>{@code --maxBundleTimeMills} as the pipeline asks ({@code flinkBundleMillis}; Flink's 1 s
 *       otherwise): each step holds its elements and the watermark up to that long.
 *   <li>{@code --objectReuse=true}: chained steps hand elements on without a deep copy through
 *       their coder. Beam forbids a step to mutate its input or its output once emitted, and the
 *       test suites check it on the DirectRunner (its immutability check).
 * </ul>
 */
final class FlinkTuning {
  /** The configuration of an embedded cluster that listens on loopback only. */
  static final String LOOPBACK =
      String.join(
          "\n",
          "# Written by beamline for an embedded Flink cluster: listen on loopback only.",
          "rest.address: 127.0.0.1",
          "rest.bind-address: 127.0.0.1",
          "rest.bind-port: 0",
          "jobmanager.rpc.address: 127.0.0.1",
          "jobmanager.bind-host: 127.0.0.1",
          "taskmanager.host: 127.0.0.1",
          "taskmanager.bind-host: 127.0.0.1",
          "");

  private FlinkTuning() {}

  /**
   * Applies the settings to {@code flink}; {@code beamArgs} are the flags the user gave, {@code
   * bundleMillis} the pipeline's {@code flinkBundleMillis} ({@code --maxBundleTimeMills} when > 0).
   */
  static void apply(FlinkPipelineOptions flink, List<String> beamArgs, long bundleMillis) {
    if (!named(beamArgs, "autoWatermarkInterval")) {
      flink.setAutoWatermarkInterval(200L);
    }
    if (bundleMillis > 0 && !named(beamArgs, "maxBundleTimeMills")) {
      flink.setMaxBundleTimeMills(bundleMillis);
    }
    if (!named(beamArgs, "objectReuse")) {
      flink.setObjectReuse(true);
    }
    String master = flink.getFlinkMaster();
    boolean embedded = master == null || master.equals("[local]") || master.equals("[auto]");
    if (embedded && flink.getFlinkConfDir() == null && System.getenv("FLINK_CONF_DIR") == null) {
      flink.setFlinkConfDir(loopbackConfDir().toString());
    }
  }

  /** Prefix of the embedded cluster's directories under {@code java.io.tmpdir}. */
  static final String DIR_PREFIX = OptionProperties.EMBEDDED_FLINK_DIR_PREFIX;

  /**
   * A new directory for this JVM's embedded cluster, {@code
   * <java.io.tmpdir>/beamline-flink-<pid>-*}: Flink's {@code config.yaml} ({@link #LOOPBACK}, with
   * {@code io.tmp.dirs} pointing into it) and Flink's own temporary files (its RPC system's jar, 22
   * MB, BLOBs, shuffle files), removed at exit. The JVM holds its {@link RunLock} while it runs; a
   * JVM killed before its exit leaves its directory, and the next one removes every such directory
   * whose lock is free, so leftovers do not pile up (a lock, not the pid: a /tmp shared with other
   * PID namespaces holds directories of processes this one cannot see).
   */
  static Path loopbackConfDir() {
    return loopbackConfDirIn(Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** {@link #loopbackConfDir} under {@code tmp}. */
  static synchronized Path loopbackConfDirIn(Path tmp) {
    try {
      removeLeftovers(tmp);
      Path dir = Files.createTempDirectory(tmp, DIR_PREFIX + ProcessHandle.current().pid() + "-");
      OWNED.add(RunLock.acquire(dir)); // held until this JVM ends
      Path io = Files.createDirectories(dir.resolve("tmp"));
      Files.writeString(
          dir.resolve("config.yaml"),
          LOOPBACK + "io.tmp.dirs: " + io + "\nweb.tmpdir: " + io + "\n");
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> deleteQuietly(dir), "beamline-flink-cleanup"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the embedded Flink cluster's configuration under "
              + tmp
              + " (set java.io.tmpdir, or give --flinkConfDir): "
              + e.getMessage(),
          e);
    }
  }

  /** This JVM's locks (kept reachable: a collected channel would release its lock). */
  private static final List<RunLock> OWNED = new java.util.ArrayList<>();

  /**
   * Removes the directories of embedded clusters whose JVM is no longer running: those whose lock
   * file ({@link RunLock#FILE}) no process holds (a process's locks end with it). Kept: a directory
   * without a lock file, one this JVM holds, one whose lock another user's file permissions hide.
   */
  static void removeLeftovers(Path tmp) throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      for (Path d : s.filter(p -> p.getFileName().toString().startsWith(DIR_PREFIX)).toList()) {
        if (Files.isRegularFile(d.resolve(RunLock.FILE)) && !RunLock.alive(d)) {
          deleteQuietly(d);
        }
      }
    }
  }

  /** {@link AtomicFiles#deleteTree}, at exit or for a leftover: a failure leaves the rest. */
  private static void deleteQuietly(Path dir) {
    try {
      AtomicFiles.deleteTree(dir);
    } catch (IOException | UncheckedIOException e) {
      // in use, gone meanwhile, or not ours: the next start tries again
    }
  }

  /** Whether the {@code --property=value} arguments {@code beamArgs} set {@code property}. */
  private static boolean named(List<String> beamArgs, String property) {
    String flag = "--" + property;
    return beamArgs.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
  }
}

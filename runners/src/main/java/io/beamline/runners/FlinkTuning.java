package io.beamline.runners;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;

/**
 * The command line's settings for the FlinkRunner (as {@code DirectTuning} for the DirectRunner),
 * each applied only where the command line does not name it:
 *
 * <ul>
 *   <li>An embedded cluster ({@code --flinkMaster} {@code [local]} or {@code [auto]}, the default)
 *       binds its REST endpoint and its BLOB server to 127.0.0.1: Flink's own defaults listen on
 *       every interface, and its REST API accepts jobs from anyone who reaches it. It gets a
 *       configuration directory of its own ({@link #LOOPBACK}) unless {@code --flinkConfDir} or
 *       {@code FLINK_CONF_DIR} gives one.
 *   <li>{@code --autoWatermarkInterval=200}: Beam's Flink source reader emits watermarks every 2 s
 *       when it is not set, so event-time windows (fast-monitoring histograms, streaming sync
 *       windows) would close up to 2 s late.
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

  /** Applies the settings to {@code flink}; {@code beamArgs} are the flags the user gave. */
  static void apply(FlinkPipelineOptions flink, List<String> beamArgs) {
    if (!named(beamArgs, "autoWatermarkInterval")) {
      flink.setAutoWatermarkInterval(200L);
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

  /** A new directory holding {@link #LOOPBACK} as Flink's {@code config.yaml}, gone at exit. */
  static Path loopbackConfDir() {
    try {
      Path dir = Files.createTempDirectory("beamline-flink-conf-");
      dir.toFile().deleteOnExit(); // deleted in reverse order: after the file registered next
      Path file = Files.writeString(dir.resolve("config.yaml"), LOOPBACK);
      file.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the embedded Flink cluster's configuration under "
              + System.getProperty("java.io.tmpdir")
              + " (set java.io.tmpdir, or give --flinkConfDir): "
              + e.getMessage(),
          e);
    }
  }

  /** Whether the {@code --property=value} arguments {@code beamArgs} set {@code property}. */
  private static boolean named(List<String> beamArgs, String property) {
    String flag = "--" + property;
    return beamArgs.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
  }
}

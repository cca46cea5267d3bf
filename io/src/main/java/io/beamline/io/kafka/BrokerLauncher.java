package io.beamline.io.kafka;

import java.io.IOException;
import java.io.InputStream;

/**
 * Main class of the embedded broker's child JVM (internal to {@link EmbeddedKafka}).
 *
 * <p>It ties the broker's life to its parent: a daemon thread reads standard input, which the
 * parent holds open as a pipe, and exits the JVM when it closes. The parent closes it to stop the
 * broker, and the operating system closes it when the parent dies for any reason (even {@code kill
 * -9}), so no broker outlives the JVM that started it. {@code System.exit} runs Kafka's own
 * shutdown hook, which stops the broker cleanly. Then it runs {@code kafka.Kafka.main(args)}.
 *
 * <p>This class is copied out of the jar and run on the broker's class path, so it uses nothing but
 * the JDK (the broker is looked up by name).
 */
public final class BrokerLauncher {
  private BrokerLauncher() {}

  /**
   * Starts the stdin watchdog, then Kafka.
   *
   * @param args passed to {@code kafka.Kafka.main} (the {@code server.properties} path)
   */
  public static void main(String[] args) throws Exception {
    Thread watchdog =
        new Thread(
            () -> {
              InputStream in = System.in;
              byte[] buf = new byte[64];
              try {
                while (in.read(buf) >= 0) {
                  // Anything written is ignored; only end-of-stream matters.
                }
              } catch (IOException e) {
                // A broken pipe means the parent is gone, the same as end-of-stream.
              }
              System.exit(0);
            },
            "beamline-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
  }
}

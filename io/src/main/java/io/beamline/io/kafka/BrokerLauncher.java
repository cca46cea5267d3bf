package io.beamline.io.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * Main class of the embedded broker's child JVM (internal to {@link EmbeddedKafka}).
 *
 * <p>It ties the broker's life to its parent: a daemon thread reads standard input, which the
 * parent holds open as a pipe, and exits the JVM when it closes. The parent closes it to stop the
 * broker, and the operating system closes it when the parent dies for any reason (even {@code kill
 * -9}), so no broker outlives the JVM that started it. {@code System.exit} runs Kafka's own
 * shutdown hook, which stops the broker cleanly. Then it formats the storage ({@code StorageTool
 * format}) and runs {@code kafka.Kafka.main}.
 *
 * <p>This class is copied out of the jar and run on the broker's class path, so it uses nothing but
 * the JDK (the broker is looked up by name).
 */
public final class BrokerLauncher {
  private BrokerLauncher() {}

  /**
   * Starts the stdin watchdog, formats the storage, then starts Kafka.
   *
   * @param args the cluster id, then the {@code server.properties} path (passed to {@code
   *     kafka.Kafka.main})
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
    // Ctrl-C in a terminal reaches the whole process group: the parent decides when the broker
    // stops (a run draining on Ctrl-C still reads from it), by closing standard input.
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    String clusterId = args[0];
    String serverProps = args[1];
    // Formatting in this JVM rather than a StorageTool JVM of its own saves a JVM start.
    Object formatted =
        Class.forName("kafka.tools.StorageTool")
            .getMethod("execute", String[].class, PrintStream.class)
            .invoke(
                null,
                new String[] {
                  "format", "--cluster-id", clusterId, "--config", serverProps, "--ignore-formatted"
                },
                System.out);
    if (!Integer.valueOf(0).equals(formatted)) {
      System.out.println("Formatting Kafka storage failed with status " + formatted);
      System.exit(2);
    }
    Class.forName("kafka.Kafka")
        .getMethod("main", String[].class)
        .invoke(null, (Object) new String[] {serverProps});
  }
}

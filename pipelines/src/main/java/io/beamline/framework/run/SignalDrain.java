package io.beamline.framework.run;

import io.beamline.io.ShutdownOrder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGTERM or Ctrl-C into a drain for a run that can end early on its own: the signal asks the
 * run to stop ({@code onSignal}), and the JVM's exit waits until the run has finished ({@link
 * #close}, at most {@code limit}) and then two more seconds for the thread that started it, so that
 * the run records its end before the JVM halts. Services the run reads from (the embedded broker)
 * stay up until then ({@link ShutdownOrder}).
 *
 * <pre>{@code
 * try (SignalDrain drain = SignalDrain.install("stream-process-drain", control::requestStop, limit)) {
 *   ... run until done or asked to stop ...
 * }
 * }</pre>
 */
public final class SignalDrain implements AutoCloseable {
  private final CountDownLatch finished = ShutdownOrder.drainable();
  private final Thread hook;

  private SignalDrain(String name, Runnable onSignal, Duration limit, Thread main) {
    this.hook =
        new Thread(
            () -> {
              onSignal.run();
              try {
                if (finished.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                  main.join(2_000);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name);
  }

  /**
   * Installs the drain for the calling thread's run.
   *
   * @param name the hook thread's name
   * @param onSignal what asks the run to stop; runs on the hook thread
   * @param limit how long the exit waits for the run at most
   */
  public static SignalDrain install(String name, Runnable onSignal, Duration limit) {
    SignalDrain d = new SignalDrain(name, onSignal, limit, Thread.currentThread());
    Runtime.getRuntime().addShutdownHook(d.hook);
    return d;
  }

  /** The run has finished: a signal from now on ends the JVM at once. Idempotent. */
  @Override
  public void close() {
    ShutdownOrder.ended(finished);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already exiting: the hook is running and waits for the run's end.
    }
  }
}

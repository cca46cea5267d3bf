package io.beamline.io.kafka;

/**
 * A Kafka bootstrap address that clients must not be pointed at: nothing answers there ({@link
 * #notKafka()} false), or something does that is not a usable Kafka broker (true: an HTTP server, a
 * service that closes or stays silent, a broker advertising an address that is not reachable). The
 * message is one line naming the address and what answered; callers add the fix in their own terms
 * (a flag name).
 */
public final class KafkaUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean notKafka;

  /** Nothing answered at the address. */
  public KafkaUnreachableException(String message) {
    this(message, false);
  }

  /**
   * @param message one line naming the address and what happened
   * @param notKafka whether something other than a usable Kafka broker answered
   */
  public KafkaUnreachableException(String message, boolean notKafka) {
    super(message);
    this.notKafka = notKafka;
  }

  /** Whether a service answered that is not a (usable) Kafka broker, rather than nothing at all. */
  public boolean notKafka() {
    return notKafka;
  }
}

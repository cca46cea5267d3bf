package io.beamline.io.kafka;

/** A Kafka broker could not be reached in time; the message is one line naming the fix. */
public final class KafkaUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with its one-line message. */
  public KafkaUnreachableException(String message) {
    super(message);
  }
}

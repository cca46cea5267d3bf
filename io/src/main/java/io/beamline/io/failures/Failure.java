package io.beamline.io.failures;

import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.schemas.JavaFieldSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;

/**
 * One item that could not be processed: where it came from, which step rejected it, and why.
 *
 * <p>Transforms route these to a failures output (a {@code TupleTag<Failure>}) and count them,
 * instead of logging and dropping the item. {@link FailureIO} writes them as JSON lines.
 */
@DefaultSchema(JavaFieldSchema.class)
public final class Failure implements Serializable {
  /** The input that held the item: a file path, topic, or chunk id. */
  public final String source;

  /** A locator inside the source: line number, record offset, chunk id. */
  public final String item;

  /** The stable name of the step that rejected it. */
  public final String step;

  /** A one-line human-readable reason, naming the fix where there is one. */
  public final String error;

  @SchemaCreate
  public Failure(String source, String item, String step, String error) {
    this.source = Objects.requireNonNull(source, "source");
    this.item = Objects.requireNonNull(item, "item");
    this.step = Objects.requireNonNull(step, "step");
    this.error = Objects.requireNonNull(error, "error");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Failure)) {
      return false;
    }
    Failure f = (Failure) o;
    return source.equals(f.source)
        && item.equals(f.item)
        && step.equals(f.step)
        && error.equals(f.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, item, step, error);
  }

  @Override
  public String toString() {
    return step + ": " + source + " [" + item + "]: " + error;
  }
}

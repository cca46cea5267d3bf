package io.beamline.framework.module;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A named input or output of a {@link Module}: the name the module's tuple tag (for several
 * outputs) and the plan use, and the element type that travels through it.
 *
 * @param name lower-case words joined by hyphens, unique among the module's inputs or outputs
 * @param type the element type
 */
public record Port(String name, TypeDescriptor<?> type) implements Serializable {

  public Port {
    if (!(name != null && name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*"))) {
      throw new IllegalArgumentException(
          String.format("port name must be lower-case words joined by hyphens, got %s", name));
    }
    if (!(type != null)) {
      throw new IllegalArgumentException(String.format("port %s needs an element type", name));
    }
  }

  /** A port carrying elements of {@code type}. */
  public static Port of(String name, Class<?> type) {
    return new Port(name, TypeDescriptor.of(type));
  }

  /** A port carrying elements of {@code type} (for generic element types). */
  public static Port of(String name, TypeDescriptor<?> type) {
    return new Port(name, type);
  }

  /**
   * The tuple tag of this port, for a module with several outputs in a {@code PCollectionTuple}.
   */
  public <T> TupleTag<T> tag() {
    return new TupleTag<>(name);
  }

  /** {@code name: Type, name: Type} for the plan, or {@code none}. */
  static String describe(List<Port> ports) {
    if (ports.isEmpty()) {
      return "none";
    }
    return ports.stream()
        .map(p -> p.name() + ": " + simpleName(p.type()))
        .collect(Collectors.joining(", "));
  }

  private static String simpleName(TypeDescriptor<?> type) {
    return type.toString().replaceAll("(\\w+\\.)+(\\w+)", "$2");
  }
}

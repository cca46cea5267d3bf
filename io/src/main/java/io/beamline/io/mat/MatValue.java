package io.beamline.io.mat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A value that {@link MatWriter} can store as a MATLAB variable: a {@code double} or {@code single}
 * array of any shape, a char row vector, or a 1 x 1 struct whose fields are such values.
 *
 * <pre>{@code
 * MatValue info = MatValue.struct(Map.of(
 *     "num_spike", MatValue.scalar(3),
 *     "spike_time", MatValue.doubles(MatMatrix.vector(120, 980, 1430))));
 * }</pre>
 */
public sealed interface MatValue
    permits MatValue.DoubleArray, MatValue.SingleArray, MatValue.Text, MatValue.Struct {

  /** Stored as MATLAB {@code double} (IEEE 64-bit). */
  record DoubleArray(MatMatrix matrix) implements MatValue {
    public DoubleArray {
      Objects.requireNonNull(matrix, "matrix");
    }
  }

  /**
   * Stored as MATLAB {@code single} (IEEE 32-bit); values are rounded to the nearest float when
   * written.
   */
  record SingleArray(MatMatrix matrix) implements MatValue {
    public SingleArray {
      Objects.requireNonNull(matrix, "matrix");
    }
  }

  /** Stored as a {@code 1 x n} MATLAB {@code char} array. */
  record Text(String text) implements MatValue {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** Stored as a 1 x 1 MATLAB struct; field order is kept. */
  record Struct(Map<String, MatValue> fields) implements MatValue {
    public Struct {
      Map<String, MatValue> copy = new LinkedHashMap<>();
      fields.forEach(
          (name, value) -> {
            MatWriter.checkName("field name", name);
            copy.put(name, Objects.requireNonNull(value, "value of field " + name));
          });
      fields = Collections.unmodifiableMap(copy);
    }
  }

  /** A {@code double} array. */
  static MatValue doubles(MatMatrix matrix) {
    return new DoubleArray(matrix);
  }

  /** A {@code single} (float32) array. */
  static MatValue singles(MatMatrix matrix) {
    return new SingleArray(matrix);
  }

  /** A 1 x 1 {@code double}. */
  static MatValue scalar(double value) {
    return new DoubleArray(MatMatrix.scalar(value));
  }

  /** A {@code char} row vector. */
  static MatValue string(String text) {
    return new Text(text);
  }

  /**
   * A 1 x 1 struct with the fields in the map's iteration order (use a {@link LinkedHashMap} to
   * control it).
   */
  static MatValue struct(Map<String, MatValue> fields) {
    return new Struct(fields);
  }
}

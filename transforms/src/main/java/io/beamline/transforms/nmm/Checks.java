package io.beamline.transforms.nmm;

/** Argument checks shared by the kernels; messages name the parameter, value and valid range. */
final class Checks {

  private Checks() {}

  static double positive(String name, double value) {
    if (!(Double.isFinite(value) && value > 0)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
    return value;
  }

  static double nonNegative(String name, double value) {
    if (!(Double.isFinite(value) && value >= 0)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
    return value;
  }

  static double finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite, got " + value);
    }
    return value;
  }

  static int inRange(String name, int value, int lo, int hiInclusive) {
    if (value < lo || value > hiInclusive) {
      throw new IllegalArgumentException(
          name + " must be in [" + lo + ", " + hiInclusive + "], got " + value);
    }
    return value;
  }

  static <T> T notNull(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }
}

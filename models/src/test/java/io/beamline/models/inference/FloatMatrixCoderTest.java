package io.beamline.models.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** {@link FloatMatrixCoder}: rows of any length round-trip bit for bit; null is refused. */
class FloatMatrixCoderTest {
  @Test
  void roundTripsRowsOfAnyLength() throws CoderException {
    float[][] m = {{1f, -0f, Float.NaN}, {}, {Float.MIN_VALUE, Float.MAX_VALUE}};
    float[][] back =
        CoderUtils.decodeFromByteArray(
            FloatMatrixCoder.of(), CoderUtils.encodeToByteArray(FloatMatrixCoder.of(), m));
    assertArrayEquals(m, back);
    float[][] empty = new float[0][];
    assertArrayEquals(
        empty,
        CoderUtils.decodeFromByteArray(
            FloatMatrixCoder.of(), CoderUtils.encodeToByteArray(FloatMatrixCoder.of(), empty)));
  }

  @Test
  void refusesNull() {
    assertThrows(
        CoderException.class,
        () -> CoderUtils.encodeToByteArray(FloatMatrixCoder.of(), (float[][]) null));
  }
}

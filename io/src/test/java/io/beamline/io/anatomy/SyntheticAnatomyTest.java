package io.beamline.io.anatomy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.mat.MatMatrix;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticAnatomyTest {
  private static final Anatomy A = SyntheticAnatomy.generate(42, 76, 32);

  @Test
  void sameSeedGivesIdenticalArraysAndOtherSeedsDiffer() {
    Anatomy b = SyntheticAnatomy.generate(42, 76, 32);
    Connectivity ca = A.connectivity();
    Connectivity cb = b.connectivity();
    assertEquals(ca.labels(), cb.labels());
    assertEquals(ca.centres(), cb.centres());
    assertEquals(ca.weights(), cb.weights());
    assertEquals(ca.tractLengths(), cb.tractLengths());
    assertEquals(A.leadfield(), b.leadfield());
    assertEquals(A.distances(), b.distances());
    Anatomy c = SyntheticAnatomy.generate(43, 76, 32);
    assertNotEquals(ca.weights(), c.connectivity().weights());
    assertNotEquals(A.leadfield(), c.leadfield());
  }

  @Test
  void shapesAndValidity() {
    assertEquals(76, A.regions());
    assertEquals(32, A.channels());
    assertArrayEquals(new int[] {32, 76}, A.leadfield().shape());
    assertArrayEquals(new int[] {76, 76}, A.distances().shape());
    assertTrue(A.problems().isEmpty(), A.problems().toString());
    assertEquals("L_001", A.connectivity().labels().get(0));
    assertEquals("R_038", A.connectivity().labels().get(75));
    // An odd count gives the extra region to the left hemisphere.
    Anatomy odd = SyntheticAnatomy.generate(1, 5, 3);
    assertEquals("R_002", odd.connectivity().labels().get(4));
    assertThrows(IllegalArgumentException.class, () -> SyntheticAnatomy.generate(1, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> SyntheticAnatomy.generate(1, 4, 0));
  }

  @Test
  void hemispheresAreSeparatedByTheMidline() {
    MatMatrix c = A.connectivity().centres();
    boolean[] right = A.connectivity().hemispheres().orElseThrow();
    for (int r = 0; r < A.regions(); r++) {
      assertEquals(right[r], c.get(r, 0) > 0, "region " + r);
    }
  }

  @Test
  void weightsAndTractsAreSymmetricSparseAndConsistent() {
    MatMatrix w = A.connectivity().weights();
    MatMatrix t = A.connectivity().tractLengths();
    MatMatrix d = A.distances();
    int n = A.regions();
    int zeros = 0;
    double max = 0;
    for (int i = 0; i < n; i++) {
      assertEquals(0.0, w.get(i, i));
      assertEquals(0.0, t.get(i, i));
      assertEquals(0.0, d.get(i, i));
      boolean connected = false;
      for (int j = 0; j < n; j++) {
        assertEquals(w.get(i, j), w.get(j, i));
        assertEquals(t.get(i, j), t.get(j, i));
        assertTrue(w.get(i, j) >= 0);
        assertTrue(t.get(i, j) >= d.get(i, j), "tract shorter than distance at " + i + "," + j);
        zeros += w.get(i, j) == 0 ? 1 : 0;
        connected |= w.get(i, j) > 0;
        max = Math.max(max, w.get(i, j));
      }
      assertTrue(connected, "region " + i + " is isolated");
    }
    assertEquals(1.0, max);
    assertTrue(zeros > n * n / 2, "weights should be sparse, zeros: " + zeros);
    assertTrue(zeros < n * n - 2 * n, "weights should not be empty, zeros: " + zeros);
  }

  @Test
  void leadfieldIsFiniteAndFallsOffWithDistance() {
    MatMatrix l = A.leadfield();
    MatMatrix s = SyntheticAnatomy.sensorPositions(A.channels());
    MatMatrix c = A.connectivity().centres();
    int n = l.size();
    double[][] pairs = new double[n][2]; // distance, |L|
    for (int ch = 0; ch < l.rows(); ch++) {
      double radius = 0;
      for (int a = 0; a < 3; a++) {
        radius += s.get(ch, a) * s.get(ch, a);
      }
      assertEquals(SyntheticAnatomy.SCALP_RADIUS_MM, Math.sqrt(radius), 1e-9);
      for (int r = 0; r < l.cols(); r++) {
        double v = l.get(ch, r);
        assertTrue(Double.isFinite(v));
        double d2 = 0;
        for (int a = 0; a < 3; a++) {
          double diff = s.get(ch, a) - c.get(r, a);
          d2 += diff * diff;
        }
        pairs[ch * l.cols() + r] = new double[] {Math.sqrt(d2), Math.abs(v)};
      }
    }
    Arrays.sort(pairs, (x, y) -> Double.compare(x[0], y[0]));
    int tenth = n / 10;
    double near = 0;
    double far = 0;
    for (int k = 0; k < tenth; k++) {
      near += pairs[k][1];
      far += pairs[n - 1 - k][1];
    }
    // 1/r^2: the nearest tenth of pairs is at least ~2x closer, so well over 4x stronger.
    assertTrue(near > 4 * far, "near " + near + " far " + far);
    assertEquals(1.0, Arrays.stream(l.toArray()).map(Math::abs).max().orElseThrow());
  }
}

package io.beamline.pipelines.regions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 fingerprints of the regions pipeline's items: every value goes in with its length, so
 * different sequences never hash alike. The encoding is part of the commit records (a changed
 * encoding would redo every committed item), so it never changes.
 */
final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  static void update(MessageDigest d, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    update(d, b.length);
    d.update(b);
  }

  static void update(MessageDigest d, double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length + 4);
    b.putInt(values.length);
    for (double v : values) {
      b.putDouble(v);
    }
    d.update(b.array());
  }

  static void update(MessageDigest d, double[][] m) {
    update(d, m.length);
    for (double[] row : m) {
      update(d, row);
    }
  }
}

package io.beamline.io.nwb;

/**
 * Bob Jenkins' lookup3 {@code hashlittle} with seed 0: the checksum HDF5 puts at the end of version
 * 2 superblocks and object headers (HDF5 file format specification, appendix C).
 */
final class Lookup3 {
  private Lookup3() {}

  /** The checksum of {@code length} bytes of {@code key} from {@code offset}. */
  static int hash(byte[] key, int offset, int length) {
    int a = 0xdeadbeef + length;
    int b = a;
    int c = a;
    int k = offset;
    int left = length;
    while (left > 12) {
      a += word(key, k);
      b += word(key, k + 4);
      c += word(key, k + 8);
      // mix(a, b, c)
      a -= c;
      a ^= Integer.rotateLeft(c, 4);
      c += b;
      b -= a;
      b ^= Integer.rotateLeft(a, 6);
      a += c;
      c -= b;
      c ^= Integer.rotateLeft(b, 8);
      b += a;
      a -= c;
      a ^= Integer.rotateLeft(c, 16);
      c += b;
      b -= a;
      b ^= Integer.rotateLeft(a, 19);
      a += c;
      c -= b;
      c ^= Integer.rotateLeft(b, 4);
      b += a;
      k += 12;
      left -= 12;
    }
    if (left == 0) {
      return c;
    }
    // The last 1..12 bytes, little-endian into a, b, c (the C original's fall-through switch).
    for (int i = left - 1; i >= 0; i--) {
      int v = (key[k + i] & 0xff) << (8 * (i % 4));
      if (i >= 8) {
        c += v;
      } else if (i >= 4) {
        b += v;
      } else {
        a += v;
      }
    }
    // final(a, b, c)
    c ^= b;
    c -= Integer.rotateLeft(b, 14);
    a ^= c;
    a -= Integer.rotateLeft(c, 11);
    b ^= a;
    b -= Integer.rotateLeft(a, 25);
    c ^= b;
    c -= Integer.rotateLeft(b, 16);
    a ^= c;
    a -= Integer.rotateLeft(c, 4);
    b ^= a;
    b -= Integer.rotateLeft(a, 14);
    c ^= b;
    c -= Integer.rotateLeft(b, 24);
    return c;
  }

  private static int word(byte[] key, int k) {
    return (key[k] & 0xff)
        | (key[k + 1] & 0xff) << 8
        | (key[k + 2] & 0xff) << 16
        | (key[k + 3] & 0xff) << 24;
  }
}

package io.beamline.io.mat;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import io.jhdf.checksum.ChecksumUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds MATLAB v7.3 fixtures in tests: an HDF5 file written with jhdf in MATLAB's layout (datasets
 * hold the transpose, i.e. HDF5 dimensions are MATLAB's reversed, and carry a {@code MATLAB_class}
 * attribute; structs are groups) behind the 512-byte MATLAB header.
 *
 * <p>jhdf 0.9.4 cannot reserve an HDF5 user block, so the header is prepended to the finished HDF5
 * bytes and the superblock is patched the way libhdf5 writes it for a file created with a 512-byte
 * user block: base address 512 and end-of-file address grown by 512 (libhdf5 records the total file
 * length there), checksum recomputed. All other HDF5 addresses are relative to the base address and
 * stay valid. The h5py interop test checks that libhdf5 reads the result.
 */
final class MatFixtures {
  private MatFixtures() {}

  /** Writes MATLAB's v7.3 header: 116 bytes of text, subsystem offset, version 0x0200, 'IM'. */
  static byte[] matlab73Header() {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    String text =
        "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Nov 23 12:00:00 2026 HDF5 schema"
            + " 1.00 .";
    byte[] t = new byte[116];
    Arrays.fill(t, (byte) ' ');
    byte[] src = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(src, 0, t, 0, src.length);
    b.put(t);
    b.putLong(0); // subsystem data offset: none
    b.putShort((short) 0x0200);
    b.put((byte) 'I').put((byte) 'M');
    return b.array(); // remaining bytes are zero, as MATLAB pads the user block
  }

  /** A MATLAB-layout builder over a temporary HDF5 file; {@link #finish} adds the header. */
  static final class V73 implements AutoCloseable {
    private final Path hdf5;
    private final WritableHdfFile file;
    private boolean closed;

    V73(Path dir) throws IOException {
      this.hdf5 = Files.createTempFile(dir, "fixture", ".h5");
      this.file = HdfFile.write(hdf5);
    }

    /** MATLAB {@code rows x cols} double matrix: stored as its transpose. */
    V73 doubles(String name, double[][] matlab) {
      return put(file, name, transpose(matlab), "double");
    }

    /** MATLAB {@code rows x cols} single matrix. */
    V73 singles(String name, double[][] matlab) {
      double[][] t = transpose(matlab);
      float[][] f = new float[t.length][t[0].length];
      for (int i = 0; i < t.length; i++) {
        for (int j = 0; j < t[i].length; j++) {
          f[i][j] = (float) t[i][j];
        }
      }
      return put(file, name, f, "single");
    }

    /** MATLAB {@code d0 x d1 x d2} double array given as [i][j][k]; HDF5 holds [k][j][i]. */
    V73 doubles3(String name, double[][][] matlab) {
      int d0 = matlab.length;
      int d1 = matlab[0].length;
      int d2 = matlab[0][0].length;
      double[][][] h = new double[d2][d1][d0];
      for (int i = 0; i < d0; i++) {
        for (int j = 0; j < d1; j++) {
          for (int k = 0; k < d2; k++) {
            h[k][j][i] = matlab[i][j][k];
          }
        }
      }
      return put(file, name, h, "double");
    }

    /** MATLAB int32 row vector. */
    V73 int32Row(String name, int[] values) {
      int[][] h = new int[values.length][1];
      for (int i = 0; i < values.length; i++) {
        h[i][0] = values[i];
      }
      return put(file, name, h, "int32");
    }

    /** MATLAB char row vector: uint16 code units, stored n x 1. */
    V73 chars(String name, String text) {
      short[][] h = new short[text.length()][1];
      for (int i = 0; i < text.length(); i++) {
        h[i][0] = (short) text.charAt(i);
      }
      return put(file, name, h, "char");
    }

    /** A 1 x 1 struct with one double field (a MATLAB rows x cols matrix). */
    V73 structWithDoubles(String name, String field, double[][] matlab) {
      WritableGroup g = file.putGroup(name);
      g.putAttribute("MATLAB_class", "struct");
      put(g, field, transpose(matlab), "double");
      return this;
    }

    private V73 put(WritableGroup group, String name, Object data, String matlabClass) {
      WritableDataset d = group.putDataset(name, data);
      d.putAttribute("MATLAB_class", matlabClass);
      return this;
    }

    /** Closes the HDF5 file and writes header + HDF5 bytes to {@code target}. */
    Path finish(Path target) throws IOException {
      close();
      byte[] h5 = Files.readAllBytes(hdf5);
      rebase(h5, 512);
      try (OutputStream out = Files.newOutputStream(target)) {
        out.write(matlab73Header());
        out.write(h5);
      }
      Files.delete(hdf5);
      return target;
    }

    @Override
    public void close() {
      // jhdf's writer fails when closed twice; finish() closes before try-with-resources does.
      if (!closed) {
        closed = true;
        file.close();
      }
    }
  }

  /** Patches the superblock of an HDF5 image that will live {@code offset} bytes into a file. */
  static void rebase(byte[] h5, long offset) {
    ByteBuffer b = ByteBuffer.wrap(h5).order(ByteOrder.LITTLE_ENDIAN);
    int version = h5[8];
    if (version == 2 || version == 3) {
      // signature 8, version 1, offset size 1, length size 1, flags 1, then base address;
      // four addresses in all before the Jenkins lookup3 checksum.
      int sizeOfOffsets = h5[9];
      if (sizeOfOffsets != 8) {
        throw new IllegalStateException("unexpected HDF5 offset size " + sizeOfOffsets);
      }
      b.putLong(12, offset);
      b.putLong(28, b.getLong(28) + offset); // end-of-file address, after the extension address
      int checked = 12 + 4 * sizeOfOffsets;
      b.putInt(checked, ChecksumUtils.checksum(Arrays.copyOf(h5, checked)));
    } else if (version == 0 || version == 1) {
      b.putLong(24, offset); // no checksum in version 0/1 superblocks
      b.putLong(40, b.getLong(40) + offset); // end-of-file address, after free-space address
    } else {
      throw new IllegalStateException("unexpected HDF5 superblock version " + version);
    }
  }

  static double[][] transpose(double[][] m) {
    double[][] t = new double[m[0].length][m.length];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m[0].length; j++) {
        t[j][i] = m[i][j];
      }
    }
    return t;
  }

  /** A rows x cols matrix with distinct values 10*i + j + 0.25 so transposition errors show. */
  static double[][] ramp(int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = 10 * i + j + 0.25;
      }
    }
    return m;
  }
}

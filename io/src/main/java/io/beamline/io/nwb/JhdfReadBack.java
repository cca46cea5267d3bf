package io.beamline.io.nwb;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a written file back with jHDF, an HDF5 reader independent of the writer, before the file is
 * published: a file that cannot be read never replaces a good one.
 */
final class JhdfReadBack {
  private JhdfReadBack() {}

  /**
   * Reads every group, attribute and dataset of {@code path} with jHDF.
   *
   * @throws IOException naming the file and what failed
   */
  static void verify(Path path) throws IOException {
    try (HdfFile file = new HdfFile(path)) {
      walk(file);
    } catch (RuntimeException e) {
      throw new IOException(
          "NWB file " + path + " failed read-back verification: " + e.getMessage(), e);
    }
  }

  private static void walk(Node node) {
    node.getAttributes().values().forEach(a -> a.getData());
    if (node instanceof Group) {
      for (Node child : ((Group) node).getChildren().values()) {
        walk(child);
      }
    } else if (node instanceof Dataset) {
      ((Dataset) node).getData();
    }
  }
}

package io.beamline.io.nwb;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.storage.HdfFileChannel;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;

/**
 * Works around a jHDF 0.9.4 writer bug and checks what it wrote.
 *
 * <p>The bug: after writing the object tree, {@code WritableHdfFile.flush()} appends its 34-byte
 * version string with a <em>relative</em> channel write, at the channel's current position. That
 * position is the end of the data of the last dataset written, which is not the end of the file
 * when object headers were written after that dataset; the string then overwrites the next object
 * header and HDF5 (h5py) reports "bad object header version number" for that object. The fix here
 * wraps the root group so that, right after the tree is written, the channel is positioned at the
 * end of the file; the version string then lands after everything else.
 *
 * <p>Because the fix reaches into jHDF's private state, every file is also read back with jHDF
 * ({@link #verify}) before it is published: if a future jHDF changes its internals, writing fails
 * loudly instead of producing a corrupt file.
 */
final class JhdfFiles {
  private JhdfFiles() {}

  /** Opens a jHDF writer on {@code path} with the end-of-file positioning fix applied. */
  static WritableHdfFile create(Path path) throws IOException {
    WritableHdfFile file = HdfFile.write(path);
    try {
      Field rootField = WritableHdfFile.class.getDeclaredField("rootGroup");
      rootField.setAccessible(true);
      WritableGroup root = (WritableGroup) rootField.get(file);
      rootField.set(file, positionAtEndAfterWrite(root));
    } catch (ReflectiveOperationException | RuntimeException e) {
      file.close();
      throw new IOException(
          "cannot apply the jHDF 0.9.4 end-of-file fix (jHDF internals changed?): " + e, e);
    }
    return file;
  }

  private static WritableGroup positionAtEndAfterWrite(WritableGroup root) {
    return (WritableGroup)
        Proxy.newProxyInstance(
            JhdfFiles.class.getClassLoader(),
            new Class<?>[] {WritableGroup.class},
            (proxy, method, args) -> {
              Object result;
              try {
                result = method.invoke(root, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (isTreeWrite(method) && args[0] instanceof HdfFileChannel) {
                HdfFileChannel channel = (HdfFileChannel) args[0];
                channel.position(channel.getFileChannel().size());
              }
              return result;
            });
  }

  private static boolean isTreeWrite(Method m) {
    return m.getName().equals("write")
        && m.getParameterCount() == 2
        && m.getParameterTypes()[0] == HdfFileChannel.class;
  }

  /**
   * Reads every group, attribute and dataset of {@code path} back with jHDF.
   *
   * @throws IOException naming the object that cannot be read
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

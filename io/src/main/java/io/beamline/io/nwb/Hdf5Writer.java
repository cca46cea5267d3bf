package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an HDF5 file from a tree of groups, datasets and attributes, in the subset of the format
 * NWB needs: text as variable-length UTF-8 strings, 32-bit integers, 32- and 64-bit floats, and
 * object references.
 *
 * <p>Why our own writer: jHDF 0.9.4 writes only fixed-length strings (NWB wants variable-length
 * text), cannot write object references (the {@code .specloc} attribute that points readers at the
 * cached specifications), and puts more data bytes into attribute messages than their datatype and
 * dataspace declare (jHDF's own reader then warns "buffer still has N bytes remaining"). Here every
 * message is encoded with exactly the size it declares.
 *
 * <p>The file: superblock version 2, one or more global heap collections holding the strings,
 * version 2 object headers (groups store their links compactly, in the header, as HDF5 1.8+ does),
 * then the raw data of every dataset, contiguous and uncompressed. All addresses are computed
 * before the first byte is written, so the file is written front to back in one pass and the same
 * tree gives the same bytes.
 *
 * <pre>{@code
 * Hdf5Writer.Group root = Hdf5Writer.root();
 * root.attribute("title", Hdf5Writer.Value.text("demo"));
 * root.group("data").dataset("x", Hdf5Writer.Value.float32(values, rows, cols));
 * Hdf5Writer.write(root, path);
 * }</pre>
 */
final class Hdf5Writer {
  private Hdf5Writer() {}

  private static final long UNDEFINED = -1L;
  private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  private static final int SUPERBLOCK_SIZE = 48;

  // Message types (HDF5 file format specification, section IV.A.2).
  private static final int DATASPACE = 0x01;
  private static final int LINK_INFO = 0x02;
  private static final int DATATYPE = 0x03;
  private static final int FILL_VALUE = 0x05;
  private static final int LINK = 0x06;
  private static final int LAYOUT = 0x08;
  private static final int GROUP_INFO = 0x0A;
  private static final int ATTRIBUTE = 0x0C;
  private static final int MESSAGE_CONSTANT = 0x01;

  // A global heap collection is never smaller than this (libhdf5 reads collections 4 KiB at a
  // time and writes none smaller).
  private static final int HEAP_MIN_SIZE = 4096;
  private static final int HEAP_HEADER = 16;
  private static final int HEAP_OBJECT_HEADER = 16;
  private static final int HEAP_MAX_OBJECTS = 0xFFFF;
  private static final int HEAP_TARGET_SIZE = 1 << 20;

  /** Element type of a value. */
  enum Type {
    FLOAT32(4),
    FLOAT64(8),
    INT32(4),
    TEXT(16),
    REFERENCE(8);

    /** Bytes one element takes in the file (a string: its length and global heap id). */
    final int elementSize;

    Type(int elementSize) {
      this.elementSize = elementSize;
    }
  }

  /** The data of a dataset or attribute: an element type, a shape and the elements. Immutable. */
  static final class Value {
    final Type type;

    /** Dimensions, slowest first; empty for a scalar. */
    final long[] dims;

    private final float[] floats;
    private final double[] doubles;
    private final int[] ints;
    private final String[] strings;
    private final Node target;

    private Value(
        Type type,
        long[] dims,
        float[] floats,
        double[] doubles,
        int[] ints,
        String[] strings,
        Node target) {
      this.type = type;
      this.dims = dims;
      this.floats = floats;
      this.doubles = doubles;
      this.ints = ints;
      this.strings = strings;
      this.target = target;
    }

    /** A scalar variable-length UTF-8 string. */
    static Value text(String s) {
      checkArgument(s != null, "text must not be null");
      return new Value(Type.TEXT, new long[0], null, null, null, new String[] {s}, null);
    }

    /** A 1-D array of variable-length UTF-8 strings. */
    static Value textArray(List<String> values) {
      for (String s : values) {
        checkArgument(s != null, "text elements must not be null");
      }
      return new Value(
          Type.TEXT,
          new long[] {values.size()},
          null,
          null,
          null,
          values.toArray(new String[0]),
          null);
    }

    /** A scalar 32-bit float. */
    static Value float32(float v) {
      return new Value(Type.FLOAT32, new long[0], new float[] {v}, null, null, null, null);
    }

    /** A row-major {@code rows x cols} matrix of 32-bit floats; the array is not copied. */
    static Value float32(float[] values, int rows, int cols) {
      checkArgument(
          (long) rows * cols == values.length,
          "%s values cannot fill %s x %s",
          values.length,
          rows,
          cols);
      return new Value(Type.FLOAT32, new long[] {rows, cols}, values, null, null, null, null);
    }

    /** A scalar 64-bit float. */
    static Value float64(double v) {
      return new Value(Type.FLOAT64, new long[0], null, new double[] {v}, null, null, null);
    }

    /** A 1-D array of 64-bit floats; the array is not copied. */
    static Value float64(double[] values) {
      return new Value(Type.FLOAT64, new long[] {values.length}, null, values, null, null, null);
    }

    /** A scalar 32-bit signed integer. */
    static Value int32(int v) {
      return new Value(Type.INT32, new long[0], null, null, new int[] {v}, null, null);
    }

    /** A scalar object reference to {@code target}, which must be in the same tree. */
    static Value reference(Node target) {
      checkArgument(target != null, "reference target must not be null");
      return new Value(Type.REFERENCE, new long[0], null, null, null, null, target);
    }

    long elements() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }

    long byteSize() {
      return elements() * type.elementSize;
    }
  }

  /** An attribute: a name and a value. */
  record Attribute(String name, Value value) {}

  /** A group or dataset: a name in its parent and its attributes, in insertion order. */
  abstract static class Node {
    final String name;
    final List<Attribute> attributes = new ArrayList<>();
    private final Set<String> attributeNames = new HashSet<>();

    Node(String name) {
      this.name = name;
    }

    /** Adds an attribute; names are unique per object. Returns this node. */
    Node attribute(String attributeName, Value value) {
      checkName(attributeName);
      checkArgument(
          attributeNames.add(attributeName),
          "attribute '%s' is already set on '%s'",
          attributeName,
          name);
      checkArgument(value != null, "attribute '%s' has no value", attributeName);
      attributes.add(new Attribute(attributeName, value));
      return this;
    }
  }

  /** A group: links to child groups and datasets, in insertion order. */
  static final class Group extends Node {
    final List<Node> children = new ArrayList<>();
    private final Set<String> childNames = new HashSet<>();

    private Group(String name) {
      super(name);
    }

    /** Adds and returns a child group. */
    Group group(String childName) {
      Group g = new Group(childName);
      add(g);
      return g;
    }

    /** Adds and returns a child dataset. */
    Dataset dataset(String childName, Value value) {
      checkArgument(value != null, "dataset '%s' has no value", childName);
      Dataset d = new Dataset(childName, value);
      add(d);
      return d;
    }

    @Override
    Group attribute(String attributeName, Value value) {
      super.attribute(attributeName, value);
      return this;
    }

    private void add(Node child) {
      checkName(child.name);
      checkArgument(
          childNames.add(child.name), "'%s' already has a child named '%s'", name, child.name);
      children.add(child);
    }
  }

  /** A dataset: a value stored contiguously. */
  static final class Dataset extends Node {
    final Value value;

    private Dataset(String name, Value value) {
      super(name);
      this.value = value;
    }

    @Override
    Dataset attribute(String attributeName, Value value) {
      super.attribute(attributeName, value);
      return this;
    }
  }

  /** A new, empty root group. */
  static Group root() {
    return new Group("/");
  }

  private static void checkName(String name) {
    checkArgument(
        name != null
            && !name.isEmpty()
            && !name.contains("/")
            && !name.contains("\0")
            && !name.equals("."),
        "HDF5 name '%s' must be non-empty, without '/' or NUL, and not '.'",
        name);
  }

  /** Writes the tree under {@code root} to {@code path}, which must not exist. */
  static void write(Group root, Path path) throws IOException {
    Layout layout = new Layout(root);
    try (FileChannel ch =
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Output out = new Output(ch);
      out.put(layout.superblock());
      for (Heap heap : layout.heaps) {
        out.put(heap.encode());
      }
      for (Node n : layout.order) {
        out.put(layout.objectHeader(n));
      }
      for (Node n : layout.order) {
        if (n instanceof Dataset) {
          Dataset d = (Dataset) n;
          out.pad(layout.dataAddress.get(d) - out.position);
          layout.writeData(d.value, out);
        }
      }
      if (out.position != layout.endOfFile) {
        throw new IllegalStateException(
            "HDF5 layout error: wrote " + out.position + " bytes, planned " + layout.endOfFile);
      }
      ch.force(true);
    }
  }

  /** One global heap collection: the strings it holds, at a known address. */
  private static final class Heap {
    final long address;
    final List<byte[]> objects = new ArrayList<>();
    long used = HEAP_HEADER;
    long size;

    Heap(long address) {
      this.address = address;
    }

    static long objectSize(byte[] data) {
      return HEAP_OBJECT_HEADER + align8(data.length);
    }

    void add(byte[] data) {
      objects.add(data);
      used += objectSize(data);
    }

    /** Fixes the collection's size; returns the address after it. */
    long close() {
      size = Math.max(HEAP_MIN_SIZE, align8(used));
      return address + size;
    }

    ByteBuffer encode() {
      ByteBuffer b = le(Math.toIntExact(size));
      b.put(new byte[] {'G', 'C', 'O', 'L'}).put((byte) 1).put(new byte[3]).putLong(size);
      for (int i = 0; i < objects.size(); i++) {
        byte[] o = objects.get(i);
        // Index (from 1), reference count, reserved, size, data padded to 8 bytes.
        b.putShort((short) (i + 1)).putShort((short) 0).putInt(0).putLong(o.length).put(o);
        b.put(new byte[(int) (align8(o.length) - o.length)]);
      }
      long free = size - used;
      if (free >= HEAP_OBJECT_HEADER) {
        // Object 0 is the free space; its size counts its own header.
        b.putShort((short) 0).putShort((short) 0).putInt(0).putLong(free);
      }
      b.position(Math.toIntExact(size));
      return b.flip();
    }
  }

  /** Addresses and sizes of everything, computed before writing. */
  private static final class Layout {
    final List<Node> order = new ArrayList<>();
    final List<Heap> heaps = new ArrayList<>();
    final Map<Node, Long> address = new IdentityHashMap<>();
    final Map<Node, Integer> headerSize = new IdentityHashMap<>();
    final Map<Dataset, Long> dataAddress = new IdentityHashMap<>();
    // Heap ids of the elements of each text value (see placeStrings).
    final Map<String[], long[]> heapIds = new IdentityHashMap<>();
    final long endOfFile;
    final Group root;

    Layout(Group root) {
      this.root = root;
      collect(root);
      for (Node n : order) {
        for (Attribute a : n.attributes) {
          checkArgument(
              a.value().type != Type.REFERENCE || address.containsKey(a.value().target),
              "attribute '%s' refers to an object outside the file",
              a.name());
        }
        checkArgument(
            !(n instanceof Dataset)
                || ((Dataset) n).value.type != Type.REFERENCE
                || address.containsKey(((Dataset) n).value.target),
            "dataset '%s' refers to an object outside the file",
            n.name);
      }
      long pos = SUPERBLOCK_SIZE;
      pos = placeStrings(pos);
      for (Node n : order) {
        int size = objectHeaderSize(n);
        headerSize.put(n, size);
        address.put(n, pos);
        pos += size;
      }
      for (Node n : order) {
        if (n instanceof Dataset) {
          Dataset d = (Dataset) n;
          pos = align8(pos);
          dataAddress.put(d, d.value.byteSize() == 0 ? UNDEFINED : pos);
          pos += d.value.byteSize();
        }
      }
      this.endOfFile = pos;
    }

    private void collect(Node n) {
      checkArgument(!address.containsKey(n), "object '%s' is linked twice", n.name);
      address.put(n, 0L);
      order.add(n);
      if (n instanceof Group) {
        for (Node c : ((Group) n).children) {
          collect(c);
        }
      }
    }

    /**
     * Puts every string into global heap collections starting at {@code pos}: a new collection when
     * the current one holds the most objects an index can number, or would grow past {@link
     * #HEAP_TARGET_SIZE}. Returns the address after the last collection.
     */
    private long placeStrings(long pos) {
      Heap heap = null;
      for (Node n : order) {
        List<Value> values = new ArrayList<>();
        n.attributes.forEach(a -> values.add(a.value()));
        if (n instanceof Dataset) {
          values.add(((Dataset) n).value);
        }
        for (Value v : values) {
          if (v.type != Type.TEXT || heapIds.containsKey(v.strings)) {
            continue;
          }
          // Per string: length in bytes, collection address, object index. An empty string has
          // no heap object (all three zero), as libhdf5 writes it.
          long[] ids = new long[v.strings.length * 3];
          for (int i = 0; i < v.strings.length; i++) {
            byte[] s = v.strings[i].getBytes(StandardCharsets.UTF_8);
            if (s.length == 0) {
              continue;
            }
            if (heap == null
                || heap.objects.size() == HEAP_MAX_OBJECTS
                || (heap.used + Heap.objectSize(s) > HEAP_TARGET_SIZE && !heap.objects.isEmpty())) {
              if (heap != null) {
                pos = heap.close();
              }
              heap = new Heap(pos);
              heaps.add(heap);
            }
            heap.add(s);
            ids[i * 3] = s.length;
            ids[i * 3 + 1] = heap.address;
            ids[i * 3 + 2] = heap.objects.size();
          }
          heapIds.put(v.strings, ids);
        }
      }
      return heap == null ? pos : heap.close();
    }

    ByteBuffer superblock() {
      ByteBuffer b = le(SUPERBLOCK_SIZE);
      b.put(SIGNATURE).put((byte) 2).put((byte) 8).put((byte) 8).put((byte) 0);
      b.putLong(0).putLong(UNDEFINED).putLong(endOfFile).putLong(address.get(root));
      b.putInt(Lookup3.hash(b.array(), 0, SUPERBLOCK_SIZE - 4));
      return b.flip();
    }

    // ---- object headers ----

    private int objectHeaderSize(Node n) {
      long chunk = 0;
      for (int size : messageSizes(n)) {
        chunk += 4 + size;
      }
      checkArgument(chunk <= 0xFFFFFFFFL, "object '%s' has too many messages", n.name);
      return 4 + 1 + 1 + chunkSizeWidth(chunk) + (int) chunk + 4;
    }

    private static int chunkSizeWidth(long chunk) {
      return chunk <= 0xFF ? 1 : chunk <= 0xFFFF ? 2 : 4;
    }

    private List<Integer> messageSizes(Node n) {
      List<Integer> sizes = new ArrayList<>();
      for (Message m : messages(n)) {
        sizes.add(m.body.length);
      }
      return sizes;
    }

    private record Message(int type, int flags, byte[] body) {}

    private List<Message> messages(Node n) {
      List<Message> ms = new ArrayList<>();
      if (n instanceof Group) {
        // Link info: version 0, no creation order; no fractal heap or name index (compact links).
        ms.add(
            new Message(
                LINK_INFO,
                0,
                le(18).put((byte) 0).put((byte) 0).putLong(UNDEFINED).putLong(UNDEFINED).array()));
        ms.add(new Message(GROUP_INFO, MESSAGE_CONSTANT, new byte[] {0, 0}));
        for (Node c : ((Group) n).children) {
          ms.add(new Message(LINK, 0, link(c.name, address.getOrDefault(c, 0L))));
        }
      } else {
        Value v = ((Dataset) n).value;
        ms.add(new Message(DATASPACE, 0, dataspace(v)));
        ms.add(new Message(DATATYPE, MESSAGE_CONSTANT, datatype(v.type)));
        // Fill value version 3: allocation late, fill written only if set, no fill value given.
        ms.add(new Message(FILL_VALUE, MESSAGE_CONSTANT, new byte[] {3, 0x0A}));
        ms.add(new Message(LAYOUT, 0, contiguousLayout((Dataset) n)));
      }
      for (Attribute a : n.attributes) {
        ms.add(new Message(ATTRIBUTE, 0, attribute(n, a)));
      }
      return ms;
    }

    ByteBuffer objectHeader(Node n) {
      int size = headerSize.get(n);
      List<Message> ms = messages(n);
      long chunk = 0;
      for (Message m : ms) {
        chunk += 4 + m.body.length;
      }
      int width = chunkSizeWidth(chunk);
      ByteBuffer b = le(size);
      int flags = width == 1 ? 0 : width == 2 ? 1 : 2;
      b.put(new byte[] {'O', 'H', 'D', 'R'}).put((byte) 2).put((byte) flags);
      putUnsigned(b, chunk, width);
      for (Message m : ms) {
        b.put((byte) m.type).putShort((short) m.body.length).put((byte) m.flags).put(m.body);
      }
      b.putInt(Lookup3.hash(b.array(), 0, b.position()));
      if (b.position() != size) {
        throw new IllegalStateException(
            "HDF5 layout error: header of '"
                + n.name
                + "' is "
                + b.position()
                + " bytes, "
                + size
                + " planned");
      }
      return b.flip();
    }

    private static byte[] link(String name, long target) {
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      boolean ascii = nameBytes.length == name.length();
      int lengthWidth = nameBytes.length <= 0xFF ? 1 : nameBytes.length <= 0xFFFF ? 2 : 4;
      int flags = (lengthWidth == 1 ? 0 : lengthWidth == 2 ? 1 : 2) | (ascii ? 0 : 0x10);
      ByteBuffer b = le(2 + (ascii ? 0 : 1) + lengthWidth + nameBytes.length + 8);
      b.put((byte) 1).put((byte) flags);
      if (!ascii) {
        b.put((byte) 1); // UTF-8
      }
      putUnsigned(b, nameBytes.length, lengthWidth);
      b.put(nameBytes).putLong(target);
      return b.array();
    }

    private static byte[] dataspace(Value v) {
      // Version 2: scalar (type 0) or simple (type 1); no maximum dimensions.
      ByteBuffer b = le(4 + 8 * v.dims.length);
      b.put((byte) 2).put((byte) v.dims.length).put((byte) 0);
      b.put((byte) (v.dims.length == 0 ? 0 : 1));
      for (long d : v.dims) {
        b.putLong(d);
      }
      return b.array();
    }

    static byte[] datatype(Type t) {
      switch (t) {
        case FLOAT32:
          return floatType(4, 31, 23, 8, 23, 127);
        case FLOAT64:
          return floatType(8, 63, 52, 11, 52, 1023);
        case INT32:
          // Fixed point, version 1, little-endian, signed; offset 0, precision 32.
          return le(12)
              .put(new byte[] {0x10, 0x08, 0, 0})
              .putInt(4)
              .putShort((short) 0)
              .putShort((short) 32)
              .array();
        case TEXT:
          // Variable-length string (version 1, type 1), null-terminated, UTF-8; its base type is
          // an unsigned byte, as libhdf5 writes it.
          return le(20)
              .put(new byte[] {0x19, 0x01, 0x01, 0})
              .putInt(16)
              .put(new byte[] {0x10, 0, 0, 0})
              .putInt(1)
              .putShort((short) 0)
              .putShort((short) 8)
              .array();
        case REFERENCE:
          // Reference, version 1, object reference.
          return le(8).put(new byte[] {0x17, 0, 0, 0}).putInt(8).array();
        default:
          throw new IllegalArgumentException("type " + t);
      }
    }

    private static byte[] floatType(
        int size, int signBit, int exponentAt, int exponentBits, int mantissaBits, int bias) {
      // IEEE 754, little-endian, mantissa normalised with an implied leading 1.
      return le(20)
          .put(new byte[] {0x11, 0x20, (byte) signBit, 0})
          .putInt(size)
          .putShort((short) 0)
          .putShort((short) (size * 8))
          .put((byte) exponentAt)
          .put((byte) exponentBits)
          .put((byte) 0)
          .put((byte) mantissaBits)
          .putInt(bias)
          .array();
    }

    private byte[] contiguousLayout(Dataset d) {
      // Version 3, class 1 (contiguous): address and size of the raw data.
      return le(18)
          .put((byte) 3)
          .put((byte) 1)
          .putLong(dataAddress.getOrDefault(d, 0L))
          .putLong(d.value.byteSize())
          .array();
    }

    private byte[] attribute(Node owner, Attribute a) {
      byte[] name = a.name().getBytes(StandardCharsets.UTF_8);
      boolean ascii = name.length == a.name().length();
      byte[] type = datatype(a.value().type);
      byte[] space = dataspace(a.value());
      long dataSize = a.value().byteSize();
      long total = 9L + name.length + 1 + type.length + space.length + dataSize;
      checkArgument(
          total <= 0xFFFF,
          "attribute '%s' of '%s' takes %s bytes; at most 65535 fit in an object header",
          a.name(),
          owner.name,
          total);
      // Version 3: name (NUL-terminated, unpadded), datatype, dataspace, data.
      ByteBuffer b = le((int) total);
      b.put((byte) 3).put((byte) 0).putShort((short) (name.length + 1));
      b.putShort((short) type.length).putShort((short) space.length).put((byte) (ascii ? 0 : 1));
      b.put(name).put((byte) 0).put(type).put(space);
      ByteBuffer data = le((int) dataSize);
      encode(a.value(), data);
      b.put(data.array());
      return b.array();
    }

    /** Encodes a small value (an attribute's) into {@code b}. */
    private void encode(Value v, ByteBuffer b) {
      switch (v.type) {
        case FLOAT32:
          for (float f : v.floats) {
            b.putFloat(f);
          }
          break;
        case FLOAT64:
          for (double d : v.doubles) {
            b.putDouble(d);
          }
          break;
        case INT32:
          for (int i : v.ints) {
            b.putInt(i);
          }
          break;
        case TEXT:
          long[] ids = heapIds.get(v.strings);
          for (int i = 0; i < v.strings.length; i++) {
            // Length in bytes, then the global heap id: collection address and object index.
            b.putInt((int) ids[i * 3]).putLong(ids[i * 3 + 1]).putInt((int) ids[i * 3 + 2]);
          }
          break;
        case REFERENCE:
          b.putLong(address.get(v.target));
          break;
        default:
          throw new IllegalArgumentException("type " + v.type);
      }
    }

    /** Writes a dataset's raw data, streaming large arrays in blocks. */
    void writeData(Value v, Output out) throws IOException {
      if (v.type == Type.FLOAT32 && v.floats.length > 1) {
        for (int from = 0; from < v.floats.length; from += Output.BLOCK / 4) {
          int n = Math.min(Output.BLOCK / 4, v.floats.length - from);
          ByteBuffer b = le(n * 4);
          b.asFloatBuffer().put(v.floats, from, n);
          out.put(b);
        }
      } else if (v.type == Type.FLOAT64 && v.doubles.length > 1) {
        for (int from = 0; from < v.doubles.length; from += Output.BLOCK / 8) {
          int n = Math.min(Output.BLOCK / 8, v.doubles.length - from);
          ByteBuffer b = le(n * 8);
          b.asDoubleBuffer().put(v.doubles, from, n);
          out.put(b);
        }
      } else {
        ByteBuffer b = le(Math.toIntExact(v.byteSize()));
        encode(v, b);
        out.put(b.flip());
      }
    }
  }

  /** Sequential writes with a running position. */
  private static final class Output {
    static final int BLOCK = 1 << 16;
    private final FileChannel ch;
    long position;

    Output(FileChannel ch) {
      this.ch = ch;
    }

    void put(ByteBuffer b) throws IOException {
      position += b.remaining();
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    void pad(long n) throws IOException {
      if (n > 0) {
        put(ByteBuffer.allocate(Math.toIntExact(n)));
      }
    }
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void putUnsigned(ByteBuffer b, long v, int width) {
    for (int i = 0; i < width; i++) {
      b.put((byte) (v >>> (8 * i)));
    }
  }

  static long align8(long n) {
    return (n + 7) & ~7L;
  }
}

package io.beamline.io.webdataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.testing.Interop;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardWriterTest {
  @TempDir Path dir;

  static WebDatasetSample sample(int i) {
    float[] eeg = new float[4 * 3];
    for (int k = 0; k < eeg.length; k++) {
      eeg[k] = i + k * 0.25f;
    }
    return WebDatasetSample.of(String.format("w%04d", i))
        .withNpy("eeg.npy", NpyArray.float32(eeg, 4, 3))
        .withJson("json", "{\"index\": " + i + "}");
  }

  static List<Path> writeAll(Path out, int n, int maxSamples, long maxBytes) throws Exception {
    try (ShardWriter w = new ShardWriter(out, "shard-%06d.tar", maxSamples, maxBytes)) {
      for (int i = 0; i < n; i++) {
        w.write(sample(i));
      }
      w.close();
      return w.shards();
    }
  }

  static List<String> entryNames(Path shard) throws Exception {
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(shard);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
        assertEquals(0L, e.getLastModifiedDate().getTime());
        assertEquals(0644, e.getMode() & 0777);
        assertEquals(0L, e.getLongUserId());
      }
    }
    return names;
  }

  @Test
  void entriesAreKeyDotFieldInSortedFieldOrder() throws Exception {
    List<Path> shards = writeAll(dir, 2, 1000, Long.MAX_VALUE);
    assertEquals(List.of(dir.resolve("shard-000000.tar")), shards);
    assertEquals(
        List.of("w0000.eeg.npy", "w0000.json", "w0001.eeg.npy", "w0001.json"),
        entryNames(shards.get(0)));
  }

  @Test
  void rollsOverAtTheSampleLimit() throws Exception {
    List<Path> shards = writeAll(dir, 7, 3, Long.MAX_VALUE);
    assertEquals(3, shards.size());
    assertEquals(6, entryNames(shards.get(0)).size());
    assertEquals(6, entryNames(shards.get(1)).size());
    assertEquals(List.of("w0006.eeg.npy", "w0006.json"), entryNames(shards.get(2)));
    assertTrue(shards.get(2).endsWith("shard-000002.tar"));
  }

  @Test
  void numbersShardsFromTheFirstIndex() throws Exception {
    try (ShardWriter w = new ShardWriter(dir, "shard-%06d.tar", 2, Long.MAX_VALUE, 41)) {
      for (int i = 0; i < 3; i++) {
        w.write(sample(i));
      }
      w.close();
      assertEquals(
          List.of(dir.resolve("shard-000041.tar"), dir.resolve("shard-000042.tar")), w.shards());
    }
    assertEquals(
        List.of("w0002.eeg.npy", "w0002.json"), entryNames(dir.resolve("shard-000042.tar")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ShardWriter(dir, "shard-%06d.tar", 2, Long.MAX_VALUE, -1));
  }

  @Test
  void rollsOverAtTheByteLimit() throws Exception {
    long one = ShardWriter.tarBytes(sample(0));
    // Room for exactly two samples plus the end-of-archive blocks.
    long limit = 2 * one + 2 * ShardWriter.BLOCK;
    List<Path> shards = writeAll(dir, 5, 1000, limit);
    assertEquals(3, shards.size());
    assertEquals(4, entryNames(shards.get(0)).size());
    assertEquals(4, entryNames(shards.get(1)).size());
    assertEquals(2, entryNames(shards.get(2)).size());
    // Shrinking the limit by one byte leaves one sample per shard.
    Path other = dir.resolve("smaller");
    assertEquals(5, writeAll(other, 5, 1000, limit - 1).size());
  }

  @Test
  void aSampleLargerThanTheByteLimitGetsItsOwnShard() throws Exception {
    assertEquals(3, writeAll(dir, 3, 1000, 10).size());
  }

  @Test
  void sameInputGivesIdenticalBytes() throws Exception {
    List<Path> a = writeAll(dir.resolve("a"), 5, 2, Long.MAX_VALUE);
    List<Path> b = writeAll(dir.resolve("b"), 5, 2, Long.MAX_VALUE);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)));
    }
  }

  @Test
  void fieldOrderOfConstructionDoesNotMatter() {
    WebDatasetSample x =
        WebDatasetSample.of("k").withJson("json", "{}").withBytes("cls", new byte[] {1});
    WebDatasetSample y =
        WebDatasetSample.of("k").withBytes("cls", new byte[] {1}).withJson("json", "{}");
    assertEquals(x, y);
    assertEquals(List.of("cls", "json"), new ArrayList<>(x.fields().keySet()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"..", "../evil", "/etc/passwd", "a/b", "a\\b", "nul\0x", "a.b", "", "line\nbreak"})
  void keysThatCouldEscapeOrSplitAreRejectedNamingTheKey(String key) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WebDatasetSample.of(key));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().startsWith("sample key '"), e.getMessage());
    assertTrue(e.getMessage().contains(WebDatasetSample.printable(key)), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"..", "../../x", "/abs", "a/b", "a\\b", "x\0", ".hidden", "a..b", "a.", ""})
  void fieldsThatCouldEscapeAreRejectedNamingKeyAndField(String field) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WebDatasetSample.of("w0001").withBytes(field, new byte[1]));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().contains("'w0001'"), e.getMessage());
  }

  @Test
  void duplicateKeysAndEmptySamplesAreRejected() throws Exception {
    try (ShardWriter w = new ShardWriter(dir, "shard-%06d.tar", 10, Long.MAX_VALUE)) {
      w.write(sample(1));
      IllegalArgumentException dup =
          assertThrows(IllegalArgumentException.class, () -> w.write(sample(1)));
      assertTrue(dup.getMessage().contains("'w0001'"), dup.getMessage());
      assertThrows(IllegalArgumentException.class, () -> w.write(WebDatasetSample.of("empty")));
    }
    // The valid sample still reached a complete shard.
    assertEquals(
        List.of("w0001.eeg.npy", "w0001.json"), entryNames(dir.resolve("shard-000000.tar")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"shard.tar", "../shard-%06d.tar", "a/%d.tar", ".hidden-%d.tar", "%s-%d"})
  void badShardPatternsAreRejected(String pattern) {
    assertThrows(IllegalArgumentException.class, () -> new ShardWriter(dir, pattern, 10, 10));
  }

  @Test
  void noTemporaryFilesRemainAndAbortLeavesNoShard() throws Exception {
    writeAll(dir, 4, 3, Long.MAX_VALUE);
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")));
    }
    Path other = dir.resolve("aborted");
    ShardWriter w = new ShardWriter(other, "shard-%06d.tar", 10, Long.MAX_VALUE);
    w.write(sample(0));
    w.abort();
    try (Stream<Path> files = Files.list(other)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void pythonTarfileAndNumpyReadEveryMember() throws Exception {
    Interop.requirePython("numpy", "tarfile");
    List<Path> shards = writeAll(dir, 5, 2, Long.MAX_VALUE);
    String code =
        String.join(
            "\n",
            "import sys, io, json, tarfile, numpy as np",
            "seen = []",
            "for path in sys.argv[1:]:",
            "    with tarfile.open(path) as t:",
            "        for m in t.getmembers():",
            "            assert m.isfile(), m.name",
            "            assert '/' not in m.name and not m.name.startswith('.'), m.name",
            "            key, field = m.name.split('.', 1)",
            "            data = t.extractfile(m).read()",
            "            i = int(key[1:])",
            "            if field == 'json':",
            "                assert json.loads(data) == {'index': i}, data",
            "            else:",
            "                a = np.load(io.BytesIO(data))",
            "                assert a.dtype == np.float32, a.dtype",
            "                assert a.shape == (4, 3), a.shape",
            "                exp = (i + np.arange(12, dtype=np.float32) * 0.25).reshape(4, 3)",
            "                assert np.array_equal(a, exp), a",
            "            seen.append(m.name)",
            "print(len(seen))");
    List<String> args = new ArrayList<>();
    args.add(code);
    shards.forEach(s -> args.add(s.toString()));
    Interop.Result r =
        Interop.python(args.get(0), args.subList(1, args.size()).toArray(new String[0]))
            .assertSuccess("tarfile/numpy check");
    assertEquals("10", r.stdout().strip());
  }
}

package io.beamline.io.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesAndReplaces() throws IOException {
    Path f = dir.resolve("sub/out.json");
    AtomicFiles.writeString(f, "one");
    AtomicFiles.writeString(f, "two");
    assertEquals("two", Files.readString(f));
    assertEquals(
        List.of("out.json"),
        Files.list(f.getParent()).map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void failedWriteKeepsPreviousFileAndLeavesNoTemporary() throws IOException {
    Path f = dir.resolve("table.csv");
    AtomicFiles.writeString(f, "complete\n");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    f,
                    out -> {
                      out.write("half a ro".getBytes());
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("complete\n", Files.readString(f));
    assertEquals(List.of("table.csv"), names());
  }

  @Test
  void unforcedWriteIsStillWholeOrNothing() throws IOException {
    Path f = dir.resolve("sample.tf");
    AtomicFiles.writeUnforced(f, out -> out.write("whole".getBytes()));
    assertEquals("whole", Files.readString(f));
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.writeUnforced(
                f,
                out -> {
                  out.write("par".getBytes());
                  throw new IOException("disk full");
                }));
    assertEquals("whole", Files.readString(f));
    assertEquals(List.of("sample.tf"), names());
  }

  @Test
  void digestOfKnownInput() throws IOException {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Digests.sha256("abc".getBytes()));
    Path f = dir.resolve("abc.txt");
    Files.writeString(f, "abc");
    assertEquals(Digests.sha256("abc".getBytes()), Digests.sha256(f));
  }

  @Test
  void publishDirectoryLetsTheFirstCompleteCopyWin() throws IOException {
    Path target = dir.resolve("cache");
    Path first = Files.createDirectory(dir.resolve(".cache.tmp-1"));
    Files.writeString(first.resolve("f"), "first");
    Path second = Files.createDirectory(dir.resolve(".cache.tmp-2"));
    Files.writeString(second.resolve("f"), "second");
    assertTrue(AtomicFiles.publishDirectory(first, target));
    assertFalse(AtomicFiles.publishDirectory(second, target));
    assertEquals("first", Files.readString(target.resolve("f")));
    assertFalse(Files.exists(first));
    assertFalse(Files.exists(second), "the unused copy is deleted");
  }
}

package io.beamline.io.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesReplaceTest {
  @TempDir Path dir;

  private List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void temporaryNamesAreRecognisedAndDataNamesAreNot() {
    Path t = AtomicFiles.temporarySibling(dir.resolve("x.parquet"));
    assertTrue(AtomicFiles.isTemporary(t.getFileName().toString()));
    assertEquals(dir, t.getParent());
    assertTrue(AtomicFiles.isTemporary(".temp-beam-1234"));
    assertTrue(AtomicFiles.isTemporary(".model.tmp-8812"));
    for (String data : List.of(".zarray", ".zattrs", ".zgroup", "x.tmp", ".lock", "a.json")) {
      assertFalse(AtomicFiles.isTemporary(data), data);
    }
  }

  @Test
  void replaceDirectorySwapsWholeDirectories() throws IOException {
    Path target = dir.resolve("set");
    Files.createDirectories(target);
    Files.writeString(target.resolve("old-1"), "o");
    Files.writeString(target.resolve("old-2"), "o");
    Path staged = AtomicFiles.temporarySibling(target);
    Files.createDirectories(staged);
    Files.writeString(staged.resolve("new-1"), "n");
    AtomicFiles.replaceDirectory(staged, target);
    assertEquals(List.of("new-1"), names(target));
    assertEquals(List.of("set"), names(dir));
  }

  @Test
  void aFileInTheWayOfTheDirectoryIsAnErrorAndStays() throws IOException {
    Path target = dir.resolve("set");
    Files.writeString(target, "someone's notes");
    Path staged = AtomicFiles.temporarySibling(target);
    Files.createDirectories(staged);
    java.nio.file.FileAlreadyExistsException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.nio.file.FileAlreadyExistsException.class,
            () -> AtomicFiles.replaceDirectory(staged, target));
    assertTrue(e.getMessage().contains("move it away"), e.getMessage());
    assertEquals("someone's notes", Files.readString(target));
  }

  @Test
  void anInterruptedReplacementIsRolledBack() throws IOException {
    // What a process killed between the two renames leaves: the old version parked, no target.
    Path target = dir.resolve("set");
    Path parked = dir.resolve(".parked-set.0b7c.tmp");
    Files.createDirectories(parked);
    Files.writeString(parked.resolve("old"), "o");
    Path staged = dir.resolve(".set.1a2b.tmp");
    Files.createDirectories(staged);
    Files.writeString(staged.resolve("new"), "n");
    List<Path> removed = AtomicFiles.removeTemporaries(dir);
    assertEquals(List.of(staged), removed);
    assertEquals(List.of("set"), names(dir));
    assertEquals(List.of("old"), names(target));
  }

  @Test
  void removeTemporariesLeavesDataAlone() throws IOException {
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/keep.mat"), "k");
    Files.writeString(dir.resolve("a/b/.keep.mat.123.tmp"), "t");
    Files.createDirectories(dir.resolve("a/.temp-beam-9/x"));
    Files.writeString(dir.resolve("a/.temp-beam-9/x/part"), "t");
    AtomicFiles.removeTemporaries(dir);
    assertEquals(List.of("b"), names(dir.resolve("a")));
    assertEquals(List.of("keep.mat"), names(dir.resolve("a/b")));
  }
}

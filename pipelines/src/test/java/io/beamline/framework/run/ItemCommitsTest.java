package io.beamline.framework.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemCommitsTest {
  @TempDir Path out;

  private List<String> tree() throws IOException {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(Files::isRegularFile)
          .map(p -> out.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void nothingCountsBeforeTheCommitAndEverythingAfter() throws IOException {
    ItemCommits c = ItemCommits.of(out, "demo");
    ItemCommit item = c.begin("rec/1");
    Path a = out.resolve("a/x.txt");
    Files.writeString(item.stage(a), "hello");
    Path dir = item.stageDirectory(out.resolve("b/set"));
    Files.writeString(dir.resolve("one"), "1");
    Files.writeString(dir.resolve("two"), "22");
    item.detail("spikes", 3);
    assertFalse(Files.exists(a));
    assertTrue(c.committed("rec/1").isEmpty());

    CommitRecord r = item.commit("run-1");
    assertEquals("hello", Files.readString(a));
    assertEquals("22", Files.readString(out.resolve("b/set/two")));
    assertEquals(r, c.committed("rec/1").orElseThrow());
    assertEquals(2, r.outputs().size());
    assertEquals("a/x.txt", r.outputs().get(0).path());
    assertEquals(5, r.outputs().get(0).size());
    assertEquals(2L, r.outputs().get(1).files());
    assertEquals(3, r.outputs().get(1).size());
    assertEquals(3, ((Number) r.details().get("spikes")).intValue());
    assertEquals(List.of("a/x.txt", "b/set/one", "b/set/two", "commits/demo/rec%2F1.json"), tree());
    assertThrows(IllegalStateException.class, () -> item.commit("run-1"));
  }

  @Test
  void aChangedOrMissingOutputUncommitsTheItem() throws IOException {
    ItemCommits c = ItemCommits.of(out, "demo");
    ItemCommit item = c.begin("k");
    Path a = out.resolve("x.bin");
    Files.write(item.stage(a), new byte[10]);
    item.commit("r");
    assertTrue(c.committed("k").isPresent());
    Files.write(a, new byte[4]);
    assertTrue(c.committed("k").isEmpty(), "truncated output");
    Files.delete(a);
    assertTrue(c.committed("k").isEmpty(), "deleted output");
    assertTrue(c.read("k").isPresent(), "the record itself stays readable");
  }

  @Test
  void aStagedDirectoryReplacesTheOldOneAsAWhole() throws IOException {
    ItemCommits c = ItemCommits.of(out, "demo");
    Path target = out.resolve("gold/s1/a");
    Files.createDirectories(target);
    Files.writeString(target.resolve("shard-000009.tar"), "old");
    ItemCommit item = c.begin("s1/a");
    Files.writeString(item.stageDirectory(target).resolve("shard-000000.tar"), "new");
    item.commit("r2");
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of("shard-000000.tar"), s.map(p -> p.getFileName().toString()).toList());
    }
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(List.of("a"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void failureRecordsDiscardStagedOutputsAndAreTallied() throws IOException {
    ItemCommits c = ItemCommits.of(out, "demo");
    ItemCommit ok = c.begin("good");
    Files.writeString(ok.stage(out.resolve("good.txt")), "g");
    ok.commit("r1");
    ItemCommit bad = c.begin("bad");
    Files.writeString(bad.stage(out.resolve("bad.txt")), "half");
    CommitRecord f = bad.fail("r1", "input x.wav is truncated\n(at byte 44); re-copy it");
    assertEquals("input x.wav is truncated (at byte 44); re-copy it", f.error());
    assertFalse(Files.exists(out.resolve("bad.txt")));
    assertTrue(c.committed("bad").isEmpty());
    assertEquals(ItemCommits.FAILED, c.read("bad").orElseThrow().status());
    ItemCommits.Tally t = c.tally("r1");
    assertEquals(List.of("good"), t.succeeded());
    assertEquals(List.of("bad"), t.failed().stream().map(CommitRecord::item).toList());
    assertEquals(0, c.tally("other-run").total());
    assertEquals(List.of("bad.json", "good.json"), names(c.directory()));
    assertEquals(Map.of(), f.details());
  }

  @Test
  void recommittingDeletesTheOldRecordFirst() throws IOException {
    ItemCommits c = ItemCommits.of(out, "demo");
    ItemCommit one = c.begin("k");
    Files.writeString(one.stage(out.resolve("k.txt")), "one");
    one.commit("r1");
    ItemCommit two = c.begin("k");
    Files.writeString(two.stage(out.resolve("k.txt")), "two!");
    // A writer that failed half-way: the record of r1 no longer vouches for k.txt.
    two.abandon();
    assertEquals("one", Files.readString(out.resolve("k.txt")));
    ItemCommit three = c.begin("k");
    Files.writeString(three.stage(out.resolve("k.txt")), "three");
    three.commit("r3");
    assertEquals("r3", c.committed("k").orElseThrow().runId());
    assertEquals(5, c.committed("k").orElseThrow().outputs().get(0).size());
  }

  @Test
  void aGroupCommitsEveryItemOrLeavesTheUnrecordedOnesUncommitted() throws IOException {
    ItemCommits c = ItemCommits.of(out, "demo");
    List<ItemCommit> items = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ItemCommit item = c.begin("rec/" + i);
      Files.writeString(item.stage(out.resolve("raw/c" + i + ".json")), "x".repeat(i));
      items.add(item.detail("i", i));
    }
    List<CommitRecord> records = ItemCommits.commitAll(items, "run-1");
    assertEquals(20, records.size());
    for (int i = 0; i < 20; i++) {
      assertEquals("rec/" + i, records.get(i).item());
      assertEquals(records.get(i), c.committed("rec/" + i).orElseThrow());
      assertEquals(i, Files.size(out.resolve("raw/c" + i + ".json")));
      assertTrue(items.get(i).ended());
    }
    assertEquals(20, c.tally("run-1").succeeded().size());

    // One item of a group was staged but never written: no record is written for any of them
    // (the step that forces the outputs fails before any record), and what they staged is gone.
    ItemCommit one = c.begin("rec/0");
    Files.writeString(one.stage(out.resolve("raw/c0.json")), "new");
    ItemCommit broken = c.begin("rec/1");
    broken.stage(out.resolve("raw/c1.json"));
    IOException e =
        assertThrows(IOException.class, () -> ItemCommits.commitAll(List.of(one, broken), "r2"));
    assertTrue(e.getMessage().contains("was staged but never written"), e.getMessage());
    assertFalse(one.ended());
    assertTrue(c.read("rec/0").isEmpty(), "the old record no longer vouches for rec/0");
    assertEquals("", Files.readString(out.resolve("raw/c0.json")));
    assertEquals(
        List.of(),
        tree().stream()
            .filter(n -> AtomicFiles.isTemporary(Path.of(n).getFileName().toString()))
            .toList());
    // The item may then be failed.
    one.fail("r2", "broken neighbour");
    assertEquals(ItemCommits.FAILED, c.read("rec/0").orElseThrow().status());
  }

  @Test
  void itemKeysBecomeSafeDistinctFileNames() {
    assertEquals("region-5", ItemCommits.fileName("region-5"));
    assertEquals("%2Ehidden", ItemCommits.fileName(".hidden"));
    assertEquals("s1%2Fa", ItemCommits.fileName("s1/a"));
    assertEquals("caf%C3%A9", ItemCommits.fileName("café"));
    assertEquals("%2E.", ItemCommits.fileName(".."));
    String longKey = "x".repeat(300);
    String n = ItemCommits.fileName(longKey);
    assertTrue(n.length() < 200, n);
    assertFalse(n.equals(ItemCommits.fileName(longKey + "y")));
    assertFalse(AtomicFiles.isTemporary(ItemCommits.fileName(".x.tmp") + ".json"));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

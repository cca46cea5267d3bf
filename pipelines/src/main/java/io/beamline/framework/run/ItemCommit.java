package io.beamline.framework.run;

import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One item being committed; not thread-safe, used within one call of a worker. Outputs are written
 * to the paths {@link #stage} and {@link #stageDirectory} return (or were already put in place by a
 * writer that renames, {@link #include}); nothing counts until {@link #commit}.
 */
public final class ItemCommit {
  private final ItemCommits commits;
  private final String key;
  private final Map<Path, Path> staged = new LinkedHashMap<>();
  private final List<Path> included = new ArrayList<>();
  private final Map<String, Object> details = new LinkedHashMap<>();
  private boolean ended;

  ItemCommit(ItemCommits commits, String key) {
    this.commits = commits;
    this.key = key;
  }

  /** The item key. */
  public String key() {
    return key;
  }

  /**
   * A temporary path to write the output that {@link #commit} moves to {@code target}; its parent
   * directory exists. Staging the same target again discards the earlier staged file.
   */
  public Path stage(Path target) throws IOException {
    Path t = target.toAbsolutePath().normalize();
    Files.createDirectories(t.getParent());
    Path tmp = AtomicFiles.temporarySibling(t);
    Path previous = staged.put(t, tmp);
    if (previous != null) {
      AtomicFiles.deleteTree(previous);
    }
    return tmp;
  }

  /**
   * An empty temporary directory whose content {@link #commit} puts in place of the directory
   * {@code target} as a whole (what was there before is replaced, not merged).
   */
  public Path stageDirectory(Path target) throws IOException {
    Path tmp = stage(target);
    Files.createDirectories(tmp);
    return tmp;
  }

  /**
   * An output already in place under its final name (a writer that renames on its own): a file, or
   * a directory whose files are forced to disk with it.
   */
  public ItemCommit include(Path output) {
    included.add(output.toAbsolutePath().normalize());
    return this;
  }

  /** A value recorded with the item (numbers, strings, lists and maps of them). */
  public ItemCommit detail(String name, Object value) {
    details.put(name, value);
    return this;
  }

  /**
   * Moves every staged output into place and then writes the item's record with status {@code
   * succeeded}; returns the record. When that fails (an output cannot be put in place), what is
   * still staged is discarded, no record is written (outputs already moved are vouched for by
   * nothing) and the exception is thrown; the item may then be {@link #fail failed}.
   */
  public CommitRecord commit(String runId) throws IOException {
    return ItemCommits.commitAll(List.of(this), runId).get(0);
  }

  /**
   * Whether this item has ended: its record written ({@link #commit}, {@link #fail}) or {@link
   * #abandon}ed. After a commit that threw, the items whose records were written have ended.
   */
  public boolean ended() {
    return ended;
  }

  /** Step 1 of a commit: the previous record deleted; returns what is to be forced to disk. */
  List<Path> prepare() throws IOException {
    if (ended) {
      throw new IllegalStateException("item " + key + " was already committed or failed");
    }
    Files.deleteIfExists(commits.recordFile(key));
    List<Path> force = new ArrayList<>();
    for (Map.Entry<Path, Path> e : staged.entrySet()) {
      Path tmp = e.getValue();
      if (Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
        ItemCommits.addTree(tmp, force);
      } else if (Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS)) {
        force.add(tmp);
      } else {
        throw new IOException(
            "output " + e.getKey() + " of item " + key + " was staged but never written");
      }
    }
    for (Path p : included) {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("output " + p + " of item " + key + " is missing");
      }
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        ItemCommits.addTree(p, force);
      } else {
        force.add(p);
      }
    }
    return force;
  }

  /**
   * Step 2, once {@link #prepare}'s paths are on disk: every staged output renamed into place;
   * {@code parents} gets the directories to force before the record is written. Returns the record
   * to write.
   */
  CommitRecord place(String runId, java.util.Set<Path> parents) throws IOException {
    List<CommitRecord.Output> outputs = new ArrayList<>();
    for (Map.Entry<Path, Path> e : staged.entrySet()) {
      Path target = e.getKey();
      Path tmp = e.getValue();
      if (Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
        AtomicFiles.replaceDirectory(tmp, target);
      } else {
        AtomicFiles.moveIntoPlace(tmp, target);
      }
      parents.add(target.getParent());
      outputs.add(describe(target));
    }
    for (Path p : included) {
      parents.add(p.getParent());
      outputs.add(describe(p));
    }
    return new CommitRecord(
        key,
        ItemCommits.SUCCEEDED,
        runId,
        Instant.now().toString(),
        outputs,
        null,
        ItemCommits.copy(details),
        commits.hashOf(key));
  }

  /** Step 3: writes the record {@link #place} returned; the item is committed. */
  void record(CommitRecord r) throws IOException {
    commits.writeRecord(r);
    ended = true;
  }

  /**
   * Discards every staged output (outputs in place are left alone) and records the item as failed
   * with {@code error}, a one-line reason naming the input and the fix.
   */
  public CommitRecord fail(String runId, String error) throws IOException {
    end();
    discard();
    CommitRecord r =
        new CommitRecord(
            key,
            ItemCommits.FAILED,
            runId,
            Instant.now().toString(),
            List.of(),
            error == null ? "unknown error" : error.replaceAll("\\s*\\R\\s*", " ").trim(),
            ItemCommits.copy(details),
            commits.hashOf(key));
    commits.writeRecord(r);
    return r;
  }

  /** Deletes what was staged; records nothing. */
  public void abandon() throws IOException {
    end();
    discard();
  }

  /** Deletes what is still staged (after a failed commit: the item may then be failed). */
  void discard() throws IOException {
    for (Path tmp : staged.values()) {
      AtomicFiles.deleteTree(tmp);
    }
  }

  private void end() {
    if (ended) {
      throw new IllegalStateException("item " + key + " was already committed or failed");
    }
    ended = true;
  }

  private CommitRecord.Output describe(Path p) throws IOException {
    long[] fs = ItemCommits.directorySize(p);
    if (fs != null) {
      return new CommitRecord.Output(commits.relative(p), fs[1], fs[0]);
    }
    return new CommitRecord.Output(commits.relative(p), Files.size(p), null);
  }
}

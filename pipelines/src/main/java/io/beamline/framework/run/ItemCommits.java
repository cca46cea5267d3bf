package io.beamline.framework.run;

import com.fasterxml.jackson.core.type.TypeReference;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit protocol every pipeline uses for its items (a chunk, a recording, a region, a
 * session): an item is done only when all of its outputs are in place under their final names and
 * its <em>commit record</em> has been written after them. Status files, summaries, resume decisions
 * and counts are derived from commit records, so they never claim more than the outputs hold.
 *
 * <p>Committing an item ({@link ItemCommit#commit}):
 *
 * <ol>
 *   <li>the item's previous record is deleted, so nothing vouches for outputs while they change;
 *   <li>each output written to its staged (temporary) name is forced to disk and renamed onto its
 *       final name; a staged directory replaces the previous directory as a whole ({@link
 *       AtomicFiles#replaceDirectory}); the parent directories are forced;
 *   <li>the record ({@code <output-dir>/commits/<pipeline>/<item>.json}: item, status, run id,
 *       time, every output with its size, the pipeline's details) is written atomically.
 * </ol>
 *
 * <p>A process killed at any instant therefore leaves each item either committed (record present,
 * outputs complete) or not (no record; at most temporaries, which the next run removes, see {@link
 * Runs}). {@link #committed} trusts a record only when every output it lists is present with the
 * recorded size, so outputs deleted or truncated later are redone. An item that failed gets a
 * record with status {@code failed} and its one-line error ({@link ItemCommit#fail}): the run's
 * failure record, counted by {@link #tally} to end the run as {@code partial}.
 *
 * <pre>{@code
 * ItemCommits commits = ItemCommits.of(outputDir, "regions");
 * if (commits.committed("region-5").isEmpty()) {
 *   ItemCommit item = commits.begin("region-5");
 *   MatWriter.create().withSingle("data", m).write(item.stage(outputDir.resolve("nmm/a5/nmm_1.mat")));
 *   item.detail("spikes", 1).commit(runId);
 * }
 * }</pre>
 *
 * <p>Instances are serialisable (a path), so DoFns carry them to workers; every worker must see the
 * output directory (a local path on the DirectRunner, a shared file system on a cluster).
 */
public final class ItemCommits implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ItemCommits.class);

  /** The directory under the output directory that holds every pipeline's commit records. */
  public static final String DIRECTORY = "commits";

  /** Status of a committed item. */
  public static final String SUCCEEDED = "succeeded";

  /** Status of an item whose failure is recorded. */
  public static final String FAILED = "failed";

  /**
   * The detail that records the digest of the input content an item was made from (a checksum, or
   * size and modification time where reading the whole input to decide would cost what remaking it
   * costs): the config hash covers the input's name, this its content.
   */
  public static final String INPUT_DIGEST = "input_digest";

  private final String outputDir;
  private final String pipeline;
  private final ItemConfig config;

  private ItemCommits(String outputDir, String pipeline, ItemConfig config) {
    this.outputDir = outputDir;
    this.pipeline = pipeline;
    this.config = config;
  }

  /** The commit records of {@code pipeline}'s items under {@code outputDir}. */
  public static ItemCommits of(Path outputDir, String pipeline) {
    if (pipeline == null || !pipeline.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("pipeline name must match [a-z0-9-]+, got " + pipeline);
    }
    return new ItemCommits(outputDir.toAbsolutePath().normalize().toString(), pipeline, null);
  }

  /**
   * The commit records of {@code pipeline}'s items under {@code outputDir}, for a run with {@code
   * options}: records carry each item's config hash ({@link ItemConfig}, set by {@link Runs}), and
   * {@link #committed} passes over an item committed with another one, so resume redoes it.
   */
  public static ItemCommits of(Path outputDir, String pipeline, PipelineOptions options) {
    ItemCommits plain = of(outputDir, pipeline);
    return new ItemCommits(plain.outputDir, pipeline, ItemConfig.from(options));
  }

  /**
   * As {@link #of(Path, String, PipelineOptions)}, with the item config a stage resolved from the
   * options ({@link ItemConfig#from}) and carries in its settings; null for none.
   */
  public static ItemCommits of(Path outputDir, String pipeline, ItemConfig config) {
    ItemCommits plain = of(outputDir, pipeline);
    return new ItemCommits(plain.outputDir, pipeline, config);
  }

  /** The item config records are checked against, or null (none: every record counts). */
  public ItemConfig config() {
    return config;
  }

  /**
   * Whether {@code r} was made with the config of this run: true when either side has no config
   * hash (an item committed outside a run, or before hashes were recorded).
   */
  public boolean sameConfig(CommitRecord r) {
    return config == null
        || r.configHash() == null
        || r.configHash().equals(config.hashOf(r.item()));
  }

  String hashOf(String item) {
    return config == null ? null : config.hashOf(item);
  }

  /** The output directory that record paths are relative to. */
  public Path outputDir() {
    return Paths.get(outputDir);
  }

  /** {@code <output-dir>/commits/<pipeline>}. */
  public Path directory() {
    return outputDir().resolve(DIRECTORY).resolve(pipeline);
  }

  /** The record file of {@code item}. */
  public Path recordFile(String item) {
    return directory().resolve(fileName(item) + ".json");
  }

  /**
   * A file name for an item key: letters, digits, {@code _ - .} kept, every other byte of its UTF-8
   * form as {@code %XX} (a leading dot too, so a record never looks hidden or temporary); long keys
   * keep a prefix and a digest of the whole key.
   */
  static String fileName(String item) {
    StringBuilder b = new StringBuilder();
    byte[] bytes = item.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || (c == '.' && i > 0);
      if (plain) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    if (b.length() == 0) {
      return "%00";
    }
    if (b.length() > 180) {
      return b.substring(0, 140) + "~" + Digests.sha256(bytes).substring(0, 16);
    }
    return b.toString();
  }

  /** Starts committing {@code item}: stage its outputs, add details, then commit or fail it. */
  public ItemCommit begin(String item) {
    return new ItemCommit(this, item);
  }

  /**
   * The record of {@code item} whatever its status, or empty when there is none (never committed,
   * or its record cannot be read).
   */
  public Optional<CommitRecord> read(String item) {
    return readFile(recordFile(item));
  }

  /**
   * The record of {@code item} when it succeeded, every output it lists is present with its
   * recorded size, and it was made with this run's config ({@link #sameConfig}); empty otherwise
   * (the item is to be done again).
   */
  public Optional<CommitRecord> committed(String item) {
    return read(item)
        .filter(r -> SUCCEEDED.equals(r.status()) && outputsPresent(r) && sameConfig(r));
  }

  /**
   * {@link #committed(String)}, and also made from input content with {@code inputDigest} (the
   * record's {@link #INPUT_DIGEST}); empty when the input changed since.
   */
  public Optional<CommitRecord> committed(String item, String inputDigest) {
    return committed(item).filter(r -> inputDigest.equals(r.details().get(INPUT_DIGEST)));
  }

  /** Whether every output of {@code r} is present with the size it was committed with. */
  public boolean outputsPresent(CommitRecord r) {
    for (CommitRecord.Output o : r.outputs()) {
      Path p = outputDir().resolve(o.path());
      try {
        if (o.files() == null) {
          if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) != o.size()) {
            return false;
          }
        } else {
          long[] fs = directorySize(p);
          if (fs == null || fs[0] != o.files() || fs[1] != o.size()) {
            return false;
          }
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /** Every readable record, by item key, sorted by key. */
  public Map<String, CommitRecord> readAll() {
    Map<String, CommitRecord> out = new TreeMap<>();
    Path dir = directory();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.sorted().toList()) {
        String n = f.getFileName().toString();
        if (n.endsWith(".json") && !AtomicFiles.isTemporary(n)) {
          readFile(f).ifPresent(r -> out.put(r.item(), r));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list commit records in " + dir, e);
    }
    return out;
  }

  /** Items of run {@code runId} by outcome. */
  public record Tally(List<String> succeeded, List<CommitRecord> failed) {
    /** Items this run ended, succeeded or failed. */
    public int total() {
      return succeeded.size() + failed.size();
    }
  }

  /** What run {@code runId} committed: its succeeded items and its failure records. */
  public Tally tally(String runId) {
    List<String> ok = new ArrayList<>();
    List<CommitRecord> failed = new ArrayList<>();
    for (CommitRecord r : readAll().values()) {
      if (!runId.equals(r.runId())) {
        continue;
      }
      if (SUCCEEDED.equals(r.status())) {
        ok.add(r.item());
      } else {
        failed.add(r);
      }
    }
    return new Tally(ok, failed);
  }

  private Optional<CommitRecord> readFile(Path f) {
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.MAPPER.readValue(f.toFile(), CommitRecord.class));
    } catch (IOException e) {
      // Records are written atomically, so this is damage from outside: redo the item.
      LOG.warn("Ignoring unreadable commit record {}: {}", f, Runs.oneLine(e));
      return Optional.empty();
    }
  }

  /**
   * {@code [files, bytes]} of the regular files under {@code dir}, or null when not a directory.
   */
  static long[] directorySize(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    long[] fs = new long[2];
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          fs[0]++;
          fs[1] += Files.size(p);
        }
      }
    }
    return fs;
  }

  String relative(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    return abs.startsWith(outputDir()) ? outputDir().relativize(abs).toString() : abs.toString();
  }

  void writeRecord(CommitRecord r) throws IOException {
    AtomicFiles.writeString(recordFile(r.item()), Json.write(r));
  }

  static void addTree(Path dir, List<Path> into) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.forEach(into::add);
    }
  }

  /**
   * Commits {@code items} together, each as {@link ItemCommit#commit} does (previous record
   * deleted, outputs forced to disk and renamed into place, parent directories forced, record
   * written), with each step done for all of them before the next: the disk syncs of a step run at
   * once ({@link #SYNC_THREADS} at a time), which a journalling file system completes in one or two
   * journal commits instead of one each, and a directory shared by the items is forced once. No
   * record is written before every item's outputs are in place and on disk. When a step fails, the
   * items without a record have what is still staged deleted (they may then be failed or
   * abandoned), the items whose record was written stay committed ({@link ItemCommit#ended}), and
   * the first exception is thrown.
   *
   * @return the records, in the order of {@code items}
   */
  public static List<CommitRecord> commitAll(List<ItemCommit> items, String runId)
      throws IOException {
    try {
      List<Path> force = new ArrayList<>();
      for (ItemCommit i : items) {
        force.addAll(i.prepare());
      }
      forceAll(force);
      java.util.Set<Path> parents = new java.util.LinkedHashSet<>();
      List<CommitRecord> records = new ArrayList<>();
      for (ItemCommit i : items) {
        records.add(i.place(runId, parents));
      }
      forceAll(new ArrayList<>(parents));
      List<java.util.concurrent.Callable<Void>> writes = new ArrayList<>();
      for (int k = 0; k < items.size(); k++) {
        ItemCommit i = items.get(k);
        CommitRecord r = records.get(k);
        writes.add(
            () -> {
              i.record(r);
              return null;
            });
      }
      runAll(writes);
      return records;
    } catch (IOException | RuntimeException | Error e) {
      for (ItemCommit i : items) {
        if (!i.ended()) {
          try {
            i.discard();
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
      }
      throw e;
    }
  }

  /** How many disk syncs of one {@link #commitAll} step run at once. */
  static final int SYNC_THREADS = 16;

  private static final java.util.concurrent.ThreadPoolExecutor SYNCS =
      new java.util.concurrent.ThreadPoolExecutor(
          SYNC_THREADS,
          SYNC_THREADS,
          5,
          java.util.concurrent.TimeUnit.SECONDS,
          new java.util.concurrent.LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "commit-sync");
            t.setDaemon(true);
            return t;
          });

  static {
    SYNCS.allowCoreThreadTimeOut(true);
  }

  /** Forces every path to disk ({@link AtomicFiles#force}), several at once. */
  static void forceAll(List<Path> paths) throws IOException {
    List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
    for (Path p : paths) {
      tasks.add(
          () -> {
            AtomicFiles.force(p);
            return null;
          });
    }
    runAll(tasks);
  }

  /** Runs the tasks, several at once (one alone in this thread); throws the first failure. */
  private static void runAll(List<java.util.concurrent.Callable<Void>> tasks) throws IOException {
    if (tasks.size() == 1) {
      try {
        tasks.get(0).call();
        return;
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
    List<java.util.concurrent.Future<Void>> running = new ArrayList<>();
    for (java.util.concurrent.Callable<Void> t : tasks) {
      running.add(SYNCS.submit(t));
    }
    Throwable first = null;
    for (java.util.concurrent.Future<Void> f : running) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        first = first == null ? e.getCause() : first;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        first = first == null ? new java.io.InterruptedIOException("commit interrupted") : first;
      }
    }
    if (first instanceof IOException io) {
      throw io;
    } else if (first instanceof RuntimeException re) {
      throw re;
    } else if (first instanceof Error er) {
      throw er;
    } else if (first != null) {
      throw new IOException(first);
    }
  }

  static Map<String, Object> copy(Map<String, Object> details) {
    // Round-trip through JSON so the record holds plain values, as a reader will see them.
    return Json.MAPPER.convertValue(details, new TypeReference<LinkedHashMap<String, Object>>() {});
  }
}

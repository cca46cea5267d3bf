package io.beamline.framework.run;

import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a live run from a killed one: a run holds an exclusive lock on {@code runs/<run-id>/.lock}
 * for as long as its process lives; the operating system releases it when the process ends, however
 * it ends. A run whose manifest still says {@code running} (or {@code planning}) but whose lock can
 * be taken was killed: {@link #reapKilled} records it as {@code killed} and, when no other run in
 * the output directory is alive, removes the temporary files it left ({@link
 * AtomicFiles#removeTemporaries}).
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

  /** The lock file's name inside a run directory. */
  public static final String FILE = ".lock";

  /** Status of a run whose process ended without recording an outcome. */
  public static final String KILLED = "killed";

  private static final Set<String> UNFINISHED = Set.of("running", "planning");

  private final FileChannel channel;

  private RunLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Takes the lock of {@code runDir} (a run's directory, or any directory whose life is a
   * process's, such as an embedded Flink cluster's) for this process; held until {@link #close}.
   */
  public static RunLock acquire(Path runDir) throws IOException {
    FileChannel ch =
        FileChannel.open(runDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock l = ch.tryLock();
      if (l == null) {
        throw new IOException("run directory " + runDir + " is locked by another process");
      }
      return new RunLock(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      channel.close(); // releases the lock
    } catch (IOException e) {
      LOG.warn("Could not release run lock: {}", e.getMessage());
    }
  }

  /**
   * Whether the run in {@code runDir} is alive: its lock is held by some process (this one
   * included). A run directory without a lock file is not alive.
   */
  public static boolean alive(Path runDir) {
    Path f = runDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      // Cannot tell (a read-only copy of someone's output): do not call it dead.
      return true;
    }
  }

  /**
   * The status of the run in {@code runDir} as its manifest says, except that an unfinished run
   * whose process is gone is {@code killed}; null when there is no readable manifest.
   */
  public static String status(Path runDir) {
    try {
      String s = String.valueOf(Runs.readManifest(runDir).get("status"));
      return UNFINISHED.contains(s) && !alive(runDir) ? KILLED : s;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Records every unfinished run under {@code <outputDir>/runs} other than {@code current} whose
   * process is gone as {@code killed}, and then, if it found one and no other run is alive there,
   * removes the temporary files under {@code outputDir}. Returns the run ids it recorded as killed.
   */
  static List<String> reapKilled(Path outputDir, String current) {
    Path runs = outputDir.resolve("runs");
    List<String> killed = new ArrayList<>();
    if (!Files.isDirectory(runs)) {
      return killed;
    }
    boolean othersAlive = false;
    List<Path> dirs;
    try (Stream<Path> s = Files.list(runs)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      LOG.warn("Could not list earlier runs in {}: {}", runs, e.getMessage());
      return killed;
    }
    for (Path dir : dirs) {
      String id = dir.getFileName().toString();
      if (id.equals(current)) {
        continue;
      }
      Path manifestFile = dir.resolve("manifest.json");
      Map<String, Object> manifest = null;
      if (Files.isRegularFile(manifestFile)) {
        try {
          manifest = Runs.readManifest(dir);
        } catch (IOException e) {
          LOG.warn("Unreadable manifest {}: {}", manifestFile, e.getMessage());
          continue;
        }
        if (!UNFINISHED.contains(String.valueOf(manifest.get("status")))) {
          continue;
        }
      } else if (!Files.exists(dir.resolve(FILE))) {
        continue; // not a run directory
      }
      if (alive(dir)) {
        othersAlive = true;
        continue;
      }
      try {
        markKilled(dir, id, manifest, current);
        killed.add(id);
      } catch (IOException e) {
        LOG.warn("Could not record run {} as killed: {}", id, e.getMessage());
      }
    }
    if (!killed.isEmpty()) {
      if (othersAlive) {
        LOG.info(
            RunConsole.PROGRESS,
            "Runs {} were killed; their temporary files stay until no other run is alive in {}",
            killed,
            outputDir);
      } else {
        try {
          List<Path> removed = AtomicFiles.removeTemporaries(outputDir);
          LOG.info(
              RunConsole.PROGRESS,
              "Runs {} were killed; removed {} temporary files they left under {}",
              killed,
              removed.size(),
              outputDir);
        } catch (IOException e) {
          LOG.warn("Could not remove temporary files under {}: {}", outputDir, e.getMessage());
        }
      }
    }
    return killed;
  }

  /**
   * After run {@code current} failed: removes the temporaries its writers left under {@code
   * outputDir} (staged items, Beam's temporary directories), unless another run there is alive.
   */
  static void removeTemporariesOfFailedRun(Path outputDir, String current) {
    Path runs = outputDir.resolve("runs");
    try (Stream<Path> s = Files.list(runs)) {
      for (Path d : s.filter(Files::isDirectory).toList()) {
        if (!d.getFileName().toString().equals(current) && alive(d)) {
          LOG.info("Temporaries of failed run {} stay: run {} is alive", current, d.getFileName());
          return;
        }
      }
    } catch (IOException e) {
      LOG.warn("Could not list runs in {}: {}", runs, e.getMessage());
      return;
    }
    try {
      List<Path> removed = AtomicFiles.removeTemporaries(outputDir);
      LOG.info("Removed {} temporary files failed run {} left", removed.size(), current);
    } catch (IOException e) {
      LOG.warn("Could not remove temporary files under {}: {}", outputDir, e.getMessage());
    }
  }

  private static void markKilled(Path dir, String id, Map<String, Object> manifest, String by)
      throws IOException {
    Map<String, Object> m = manifest == null ? new java.util.LinkedHashMap<>() : manifest;
    m.putIfAbsent("run_id", id);
    m.put("status", KILLED);
    m.put("end_utc", lastSignOfLife(dir).toString());
    m.put(
        "error",
        "the run's process ended without recording an outcome (killed, or its machine went"
            + " down); found by run "
            + by);
    AtomicFiles.writeString(dir.resolve("manifest.json"), Json.write(m));
    LOG.info("Run {} was killed; recorded it as killed", id);
  }

  /** The newest modification time of a file in the run directory. */
  private static Instant lastSignOfLife(Path dir) throws IOException {
    FileTime newest = Files.getLastModifiedTime(dir);
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        FileTime t = Files.getLastModifiedTime(p);
        if (t.compareTo(newest) > 0) {
          newest = t;
        }
      }
    }
    return newest.toInstant();
  }
}

package io.beamline.io.kafka;

import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker JVM's class-data-sharing archive (JDK AppCDS, dynamic): the first broker
 * started from a broker cache with this java writes the classes it loaded when it exits cleanly;
 * every later broker maps them instead of reading and verifying Kafka's jars again, which brings
 * the broker up sooner (docs/performance.md, "Start-up"). The archive sits in the broker cache next
 * to the jars it is valid for, one per java (home and version); the JVM checks the class path again
 * at each start and ignores an archive that does not match, silently.
 */
final class BrokerClassArchive {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerClassArchive.class);

  /** Unused leftovers of brokers that never exited cleanly are removed after this. */
  private static final Duration STALE = Duration.ofHours(1);

  private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

  /**
   * What one broker start does with the archive.
   *
   * @param flags the JVM flags that map the archive or write it at exit
   * @param written where the JVM writes it at exit (null: it maps the archive)
   * @param archive the archive's place
   */
  record Plan(List<String> flags, Path written, Path archive) {
    /** Moves the archive written by a broker that exited cleanly into place. */
    void promote() {
      if (written == null) {
        return;
      }
      try {
        if (Files.size(written) > 0) {
          AtomicFiles.moveIntoPlace(written, archive);
        }
      } catch (IOException e) {
        LOG.debug("broker class archive {} not kept: {}", written, e.toString());
      } finally {
        discard();
      }
    }

    /** Removes what a broker that did not exit cleanly may have written. */
    void discard() {
      if (written != null) {
        try {
          Files.deleteIfExists(written);
        } catch (IOException e) {
          LOG.debug("could not remove {}: {}", written, e.toString());
        }
      }
    }
  }

  private BrokerClassArchive() {}

  /**
   * The plan of a broker started from the cache at {@code root}; none (no flags) when the system
   * property {@code beamline.cds} is {@code false} (the launcher's {@code BEAMLINE_CDS=0}).
   */
  static Plan plan(Path root) {
    Path archive = root.resolve("broker-" + javaKey() + ".jsa");
    if ("false".equals(System.getProperty("beamline.cds"))) {
      return new Plan(List.of(), null, archive);
    }
    if (Files.isRegularFile(archive)) {
      return new Plan(
          Stream.concat(Stream.of("-XX:SharedArchiveFile=" + archive), QUIET.stream()).toList(),
          null,
          archive);
    }
    removeStale(root);
    Path written =
        root.resolve(
            archive.getFileName()
                + "."
                + ProcessHandle.current().pid()
                + "-"
                + System.nanoTime()
                + ".tmp");
    return new Plan(
        Stream.concat(Stream.of("-XX:ArchiveClassesAtExit=" + written), QUIET.stream()).toList(),
        written,
        archive);
  }

  /** A short key of this java: its home and version. */
  static String javaKey() {
    String java = System.getProperty("java.home") + "|" + System.getProperty("java.vm.version");
    return Digests.sha256(java.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
  }

  private static void removeStale(Path root) {
    Instant before = Instant.now().minus(STALE);
    try (Stream<Path> s = Files.list(root)) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().matches("broker-.*\\.jsa\\..*\\.tmp"))
              .toList()) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(before)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      LOG.debug("could not tidy {}: {}", root, e.toString());
    }
  }
}

package io.beamline.io.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker JVM's class-data-sharing archive: the first broker of a fresh cache writes it when it
 * stops, the next one maps it (the archive is in the broker process's memory maps), and with {@code
 * -Dbeamline.cds=false} a broker neither maps nor writes one.
 */
class BrokerClassArchiveIT {
  @TempDir Path cache;

  @Test
  void theFirstBrokerWritesTheArchiveAndTheNextMapsIt() throws Exception {
    try (EmbeddedKafka first = EmbeddedKafka.settings().withCacheDir(cache).start()) {
      assertEquals(List.of(), archives(), "written only when the broker exits");
    }
    List<Path> written = archives();
    assertEquals(1, written.size(), "archives in the cache: " + written);
    assertEquals(List.of(), leftovers());
    try (EmbeddedKafka second = EmbeddedKafka.settings().withCacheDir(cache).start()) {
      assertTrue(
          brokerMaps(written.get(0)), "the second broker's JVM does not map " + written.get(0));
    }
    assertEquals(written, archives());
    assertEquals(List.of(), leftovers());
  }

  @Test
  void noArchiveWhenTurnedOff() throws Exception {
    System.setProperty("beamline.cds", "false");
    try (EmbeddedKafka k = EmbeddedKafka.settings().withCacheDir(cache).start()) {
      assertFalse(k.bootstrapServers().isEmpty());
    } finally {
      System.clearProperty("beamline.cds");
    }
    assertEquals(List.of(), archives());
    assertEquals(List.of(), leftovers());
  }

  private List<Path> archives() throws Exception {
    return find("broker-.*\\.jsa");
  }

  private List<Path> leftovers() throws Exception {
    return find("broker-.*\\.jsa\\..*");
  }

  private List<Path> find(String pattern) throws Exception {
    try (Stream<Path> s = Files.walk(cache)) {
      return s.filter(p -> p.getFileName().toString().matches(pattern)).sorted().toList();
    }
  }

  /** Whether a child process of this JVM (the broker) has {@code archive} mapped. */
  private static boolean brokerMaps(Path archive) throws Exception {
    for (ProcessHandle child : ProcessHandle.current().children().toList()) {
      Path maps = Path.of("/proc", Long.toString(child.pid()), "maps");
      if (Files.isReadable(maps) && Files.readString(maps).contains(archive.toString())) {
        return true;
      }
    }
    return false;
  }
}

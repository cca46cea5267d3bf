package io.beamline.framework.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LaunchTest {
  private static final String JAVA =
      Paths.get(System.getProperty("java.home"), "bin", "java").toString();

  @Test
  void theLauncherReadsTheSameFlagsAsTheScripts() throws Exception {
    Path runners = Paths.get("..", "runners");
    assertEquals(
        String.join(" ", Launch.heapFlagList()),
        Files.readString(runners.resolve("jvm-heap.opts")).trim());
    assertEquals(Launch.javaFlags(), Files.readString(runners.resolve("spark-java17.opts")).trim());
  }

  /** The maximum heap of a JVM started the way the scripts start one, in {@code env}. */
  private static long maxHeap(Map<String, String> env) throws Exception {
    List<String> words = new ArrayList<>(List.of("\"" + JAVA + "\""));
    words.addAll(Launch.heapFlagList());
    words.add(Launch.HEAP_OVERRIDE);
    words.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", String.join(" ", words));
    pb.environment().remove("BEAMLINE_HEAP");
    pb.environment().remove("BEAMLINE_JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out.lines()
        .filter(l -> l.trim().startsWith("size_t MaxHeapSize"))
        .map(l -> Long.parseLong(l.trim().split("\\s+")[3]))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theHeapIsHalfTheMemoryUnlessTheUserSetsIt() throws Exception {
    long total =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize();
    long half = maxHeap(Map.of());
    assertTrue(Math.abs(half - total / 2.0) < total * 0.02, half + " vs half of " + total);
    assertEquals(300L << 20, maxHeap(Map.of("BEAMLINE_HEAP", "300m")));
    assertEquals(200L << 20, maxHeap(Map.of("BEAMLINE_JAVA_OPTS", "-Dx=1 -Xmx200m")));
  }
}

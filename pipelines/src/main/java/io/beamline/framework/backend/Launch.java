package io.beamline.framework.backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What every command line that starts {@code beamline} outside this JVM needs: the shaded jar, its
 * entry point, the JVM flags Spark needs on Java 17, the heap flags, and shell quoting.
 */
public final class Launch {
  /** The main class of the shaded jar. */
  public static final String ENTRY_POINT = "io.beamline.runners.Beamline";

  /** The class {@code spark-submit} runs; the shaded jar contains it. */
  public static final String SPARK_SUBMIT = "org.apache.spark.deploy.SparkSubmit";

  private Launch() {}

  /**
   * The {@code --add-opens} flags Spark needs on Java 17 (space-separated), from the build (the
   * same list as {@code runners/spark-java17.opts}).
   */
  public static String javaFlags() {
    return buildProperty("add.opens");
  }

  /** {@link #javaFlags()} as separate words. */
  public static List<String> javaFlagList() {
    return List.of(javaFlags().split("\\s+"));
  }

  /**
   * This JVM's flags that a JVM it starts on the same jar (the stream testbed's supervisor and
   * agents) takes over: the class-data-sharing ones, the launcher's archive ({@code
   * -XX:SharedArchiveFile}, quiet) or {@code -Dbeamline.cds=false}, and the compiler tier ({@code
   * -XX:TieredStopAtLevel}, e.g. C1 only from {@code BEAMLINE_JAVA_OPTS}); none when this JVM has
   * none. A JVM whose jar does not match the archive ignores it silently.
   */
  public static List<String> inheritedFlags() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            a ->
                a.startsWith("-XX:SharedArchiveFile=")
                    || a.startsWith("-Xlog:cds")
                    || a.startsWith("-Dbeamline.cds=")
                    || a.startsWith("-XX:TieredStopAtLevel="))
        .toList();
  }

  /**
   * The heap flags of a run outside this JVM, as separate words (the same list as {@code
   * runners/jvm-heap.opts}): up to half the memory the JVM sees, starting small. An {@code -Xmx}
   * after them wins ({@link #HEAP_OVERRIDE}).
   */
  public static List<String> heapFlagList() {
    return List.of(buildProperty("heap").split("\\s+"));
  }

  /**
   * The words of a launching shell command line after {@link #heapFlagList()}: {@code
   * -Xmx$BEAMLINE_HEAP} when that is set, then the words of {@code BEAMLINE_JAVA_OPTS}.
   */
  public static final String HEAP_OVERRIDE =
      "${BEAMLINE_HEAP:+\"-Xmx$BEAMLINE_HEAP\"} ${BEAMLINE_JAVA_OPTS:-}";

  private static String buildProperty(String name) {
    Properties p = new Properties();
    try (InputStream in = Launch.class.getResourceAsStream("spark-java17.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read spark-java17.properties: " + e.getMessage(), e);
    }
    String v = p.getProperty(name, "");
    if (v.isBlank() || v.contains("${")) {
      throw new IllegalStateException(
          "spark-java17.properties was not filled in by the build (" + name + ")");
    }
    return v.trim();
  }

  /**
   * The jar command lines run: {@code explicit} when given, else the {@code beamline.jar} that
   * {@code anchor} was loaded from, else the build's {@code runners/target/beamline.jar}.
   */
  public static Path jar(String explicit, Class<?> anchor) {
    if (explicit != null) {
      return Paths.get(explicit).toAbsolutePath().normalize();
    }
    try {
      Path self = Paths.get(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(self) && self.getFileName().toString().equals("beamline.jar")) {
        return self.toAbsolutePath().normalize();
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Fall through to the build's jar.
    }
    return Paths.get("runners", "target", "beamline.jar").toAbsolutePath().normalize();
  }

  /** Quotes a word for a POSIX shell when it needs it. */
  public static String shellQuote(String s) {
    if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }

  /** A command line as a shell would read it. */
  public static String shellLine(List<String> words) {
    List<String> q = new ArrayList<>();
    for (String w : words) {
      q.add(shellQuote(w));
    }
    return String.join(" ", q);
  }
}

package io.beamline.io.kafka;

import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The Kafka broker's jars, bundled as resources by the build, extracted once per version to a cache
 * directory.
 *
 * <p>The build copies the jars to {@value #RESOURCE_DIR} and writes {@code index.txt} (one jar name
 * a line). The cache directory for one set of jars is named by the SHA-256 of that index and of the
 * launcher class, and is filled under a temporary name, then renamed, so a crash mid-copy never
 * leaves a half-filled cache that a later run would trust.
 */
final class BrokerLibs {
  static final String RESOURCE_DIR = "io/beamline/io/kafka/broker-lib/";
  static final String INDEX = RESOURCE_DIR + "index.txt";
  static final String LAUNCHER_CLASS = "io/beamline/io/kafka/BrokerLauncher.class";

  /**
   * The layout of an extracted broker; part of the cache key. 2: the launcher class in a jar (a
   * class-data-sharing archive takes jars only, no directory of classes).
   */
  private static final String LAYOUT = "layout 2";

  /** The extracted jars ({@code lib/}) and the launcher class's jar ({@code launcher.jar}). */
  record Extracted(Path root, Path libDir, Path launcherJar) {
    /** Class path for the child JVM: the launcher, then every broker jar. */
    String classPath() {
      return launcherJar + java.io.File.pathSeparator + libDir.resolve("*");
    }
  }

  private BrokerLibs() {}

  /** The jar names listed in the bundled index, in order. */
  static List<String> index() {
    String text = new String(readResource(INDEX), StandardCharsets.UTF_8);
    List<String> names = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String name = line.trim();
      if (!name.isEmpty()) {
        if (!name.endsWith(".jar") || name.contains("/") || name.contains("\\")) {
          throw new IllegalStateException("Bad entry '" + name + "' in bundled " + INDEX);
        }
        names.add(name);
      }
    }
    if (names.isEmpty()) {
      throw new IllegalStateException("Bundled " + INDEX + " lists no jars; rebuild beamline-io");
    }
    return names;
  }

  /**
   * Returns the extracted broker under {@code cacheRoot/<index-hash>/}, extracting it first if
   * needed.
   */
  static Extracted extract(Path cacheRoot) throws IOException {
    List<String> names = index();
    // The launcher's bytes are part of the key: a changed launcher never runs from an old cache.
    String key =
        Digests.sha256(
            (String.join("\n", names)
                    + "\n"
                    + Digests.sha256(readResource(LAUNCHER_CLASS))
                    + "\n"
                    + LAYOUT)
                .getBytes(StandardCharsets.UTF_8));
    Path target = cacheRoot.resolve("kafka-" + key.substring(0, 16));
    Extracted done = layout(target);
    if (Files.isRegularFile(target.resolve("complete"))) {
      return done;
    }
    Files.createDirectories(cacheRoot);
    Path tmp = Files.createTempDirectory(cacheRoot, ".kafka-extract-");
    try {
      Extracted staging = layout(tmp);
      Files.createDirectories(staging.libDir());
      for (String name : names) {
        copyResource(RESOURCE_DIR + name, staging.libDir().resolve(name));
      }
      try (JarOutputStream jar =
          new JarOutputStream(Files.newOutputStream(staging.launcherJar()))) {
        jar.putNextEntry(new JarEntry(LAUNCHER_CLASS));
        jar.write(readResource(LAUNCHER_CLASS));
        jar.closeEntry();
      }
      AtomicFiles.writeString(tmp.resolve("complete"), String.join("\n", names) + "\n");
      // Another process may have extracted the same jars first; theirs are identical.
      if (!AtomicFiles.publishDirectory(tmp, target)
          && !Files.isRegularFile(target.resolve("complete"))) {
        throw new IOException(
            "Kafka broker cache " + target + " is incomplete; delete it and retry");
      }
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
    return done;
  }

  private static Extracted layout(Path root) {
    return new Extracted(root, root.resolve("lib"), root.resolve("launcher.jar"));
  }

  private static void copyResource(String resource, Path to) throws IOException {
    try (InputStream in = open(resource)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static byte[] readResource(String resource) {
    try (InputStream in = open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = BrokerLibs.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IOException(
          "Resource " + resource + " is missing from the class path; rebuild beamline-io");
    }
    return in;
  }
}

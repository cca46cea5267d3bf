package io.beamline.framework.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version and the git commit this build was made from. */
public final class BuildInfo {
  private static final Properties VERSION = load("version.properties");
  private static final Properties GIT = load("git.properties");

  private BuildInfo() {}

  /** Project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return VERSION.getProperty("version", "unknown");
  }

  /** Apache Beam version the build uses. */
  public static String beamVersion() {
    return VERSION.getProperty("beam.version", "unknown");
  }

  /** Spark version bundled for the SparkRunner. */
  public static String sparkVersion() {
    return VERSION.getProperty("spark.version", "unknown");
  }

  /** Full git commit id, or {@code unknown} when built outside a git checkout. */
  public static String gitCommit() {
    String c = GIT.getProperty("git.commit.id", "");
    return c.isBlank() ? "unknown" : c;
  }

  /** Whether the working tree had uncommitted changes when built. */
  public static boolean gitDirty() {
    return Boolean.parseBoolean(GIT.getProperty("git.dirty", "false"));
  }

  /** {@code 0.1.0-SNAPSHOT (git abc1234[-dirty], Beam 2.62.0)}. */
  public static String describe() {
    String commit = gitCommit();
    String shortCommit = commit.length() > 10 ? commit.substring(0, 10) : commit;
    return version()
        + " (git "
        + shortCommit
        + (gitDirty() ? "-dirty" : "")
        + ", Beam "
        + beamVersion()
        + ", Spark "
        + sparkVersion()
        + ", Java "
        + Runtime.version()
        + ")";
  }

  private static Properties load(String name) {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(name)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // A missing or unreadable build stamp only makes the version "unknown".
    }
    return p;
  }
}

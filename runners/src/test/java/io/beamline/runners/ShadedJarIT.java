package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamline.io.duckdb.DuckDb;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged artefact as users run it: {@code java -jar beamline.jar}, {@code spark-submit}
 * (Spark's own {@code SparkSubmit} entry point from the bundled Spark), and the {@code ./beamline}
 * launcher.
 */
class ShadedJarIT {
  static final Path JAR = Paths.get("target", "beamline.jar").toAbsolutePath();
  static final String JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  @TempDir Path dir;

  record Proc(int code, String out, String err) {}

  static Proc exec(Path cwd, List<String> cmd) throws Exception {
    return exec(cwd, cmd, java.util.Map.of());
  }

  /** {@link #exec(Path, List)} with {@code env} added to this JVM's environment. */
  static Proc exec(Path cwd, List<String> cmd, java.util.Map<String, String> env) throws Exception {
    return start(cwd, cmd, env).await();
  }

  /** A started command whose output goes to files; {@link #await()} waits for it (300 s). */
  record Started(Process process, List<String> cmd, Path out, Path err) {
    Proc await() throws Exception {
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      return new Proc(process.exitValue(), Files.readString(out), Files.readString(err));
    }
  }

  /** Starts {@code cmd} in {@code cwd} with {@code env} added, without waiting for it. */
  static Started start(Path cwd, List<String> cmd, java.util.Map<String, String> env)
      throws Exception {
    Path out = Files.createTempFile("proc", ".out");
    Path err = Files.createTempFile("proc", ".err");
    ProcessBuilder b =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    b.environment().putAll(env);
    return new Started(b.start(), cmd, out, err);
  }

  /**
   * JVM options for the many short command-line runs the ITs start: C1 only, and the build's
   * class-data archive as {@code ./beamline} maps it (quiet; a JVM ignores an archive made for
   * another jar). Their runs last seconds, where C2's compilations cost more CPU than they return
   * (a small regions run: 10.3 -> 5.2 CPU seconds, 6.0 -> 4.2 s wall on 2 cores), and the archive
   * saves class loading (a demo run: 8.2 -> 6.1 CPU seconds); what the tests check does not depend
   * on either.
   */
  static List<String> quickJvm() {
    List<String> flags = new java.util.ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
    Path jsa = Paths.get("target", "beamline.jsa").toAbsolutePath();
    try {
      Path made = Paths.get(jsa + ".java");
      if (Files.isRegularFile(jsa)
          && Files.isRegularFile(made)
          && Paths.get(Files.readString(made).trim())
              .toRealPath()
              .equals(Paths.get(JAVA).toRealPath())) {
        flags.addAll(
            List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
      }
    } catch (java.io.IOException e) {
      // no archive: the runs load their classes from the jar
    }
    return flags;
  }

  /**
   * {@code java} running the packaged jar with {@code args} as {@code ./beamline} starts it (the
   * {@code --add-opens} list, offline DJL), with {@link #quickJvm()}.
   */
  static List<String> jar(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(JAVA);
    cmd.addAll(addOpens());
    cmd.addAll(quickJvm());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The flags documented for spark-submit on Java 17, read from the file users are given. */
  static List<String> addOpens() throws Exception {
    return List.of(Files.readString(Paths.get("spark-java17.opts")).trim().split("\\s+"));
  }

  private long rows(Path outputDir) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      return db.count(
          "SELECT * FROM read_parquet("
              + DuckDb.literal(
                  outputDir.resolve("demo/window_stats") + File.separator + "*.parquet")
              + ")");
    }
  }

  @Test
  void javaJarRunsTheDemoOnBothRunners() throws Exception {
    Proc help = exec(dir, List.of(JAVA, "-jar", JAR.toString(), "--help"));
    assertEquals(0, help.code(), help.err());
    assertThat(help.out(), containsString("regions"));

    Proc direct =
        exec(
            dir,
            List.of(
                JAVA,
                "-jar",
                JAR.toString(),
                "demo",
                "--seconds",
                "3",
                "--output-dir",
                dir.resolve("direct").toString()));
    assertEquals(0, direct.code(), direct.err());
    assertEquals(4 * 3, rows(dir.resolve("direct")));

    // The jar's manifest carries Add-Opens, so plain `java -jar` runs Spark on Java 17.
    Proc spark =
        exec(
            dir,
            List.of(
                JAVA,
                "-jar",
                JAR.toString(),
                "demo",
                "--seconds",
                "3",
                "--runner=SparkRunner",
                "--spark-master",
                "local[2]",
                "--output-dir",
                dir.resolve("spark").toString()));
    assertEquals(0, spark.code(), spark.err());
    assertThat(spark.out(), containsString("succeeded (SparkRunner)"));
    assertEquals(4 * 3, rows(dir.resolve("spark")));
  }

  @Test
  void sparkSubmitRunsTheSameJar() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(JAVA));
    cmd.addAll(addOpens());
    cmd.addAll(
        List.of(
            "-cp",
            JAR.toString(),
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--class",
            "io.beamline.runners.Beamline",
            JAR.toString(),
            "demo",
            "--seconds",
            "3",
            "--output-dir",
            dir.resolve("submit").toString(),
            "--run-id",
            "submitted"));
    Proc p = exec(dir, cmd);
    assertEquals(0, p.code(), p.err());
    assertThat(p.out(), containsString("succeeded (SparkRunner)"));
    String options = Files.readString(dir.resolve("submit/runs/submitted/options.json"));
    assertThat(options, containsString("\"sparkMaster\" : \"local[2]\""));
    assertEquals(4 * 3, rows(dir.resolve("submit")));
  }

  @Test
  void errorsFromTheJarAreOneLineWithStatusTwo() throws Exception {
    Proc p = exec(dir, List.of(JAVA, "-jar", JAR.toString(), "demo", "--nope"));
    assertEquals(2, p.code());
    assertEquals(
        List.of("beamline demo: unknown flag --nope; run 'beamline demo --help' for the flags"),
        p.err().lines().toList());
  }

  @Test
  void launcherScriptRunsTheBuiltJar() throws Exception {
    Path launcher = Paths.get("..", "beamline").toAbsolutePath().normalize();
    Proc p = exec(dir, List.of("bash", launcher.toString(), "--version"));
    assertEquals(0, p.code(), p.err());
    assertThat(p.out(), containsString("beamline 0.1.0"));
    assertEquals("", p.err(), "the jar is fresh, so the launcher must not rebuild it");
  }

  /**
   * The build archived the classes a run loads (runners/cds-archive.sh) and the launcher maps that
   * archive: the CLI's own classes come from it; with BEAMLINE_CDS=0 from the jar.
   */
  @Test
  void launcherStartsFromTheBuildsClassDataArchive() throws Exception {
    Path launcher = Paths.get("..", "beamline").toAbsolutePath().normalize();
    for (String cds : List.of("1", "0")) {
      Path loads = dir.resolve("class-loads-" + cds + ".txt");
      Proc p =
          exec(
              dir,
              List.of("bash", launcher.toString(), "--version"),
              java.util.Map.of(
                  "BEAMLINE_CDS",
                  cds,
                  "BEAMLINE_JAVA_OPTS",
                  "-Xlog:class+load=info:file=" + loads));
      assertEquals(0, p.code(), p.err());
      assertEquals("", p.err());
      String main =
          Files.readAllLines(loads).stream()
              .filter(l -> l.contains(" io.beamline.runners.Beamline "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("Beamline's class was not loaded: " + loads));
      assertEquals(
          cds.equals("1"),
          main.contains("shared objects file"),
          "BEAMLINE_CDS=" + cds + ": " + main);
    }
  }
}

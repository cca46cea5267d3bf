package io.beamline.pipelines.regions;

import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.anatomy.SyntheticAnatomy;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Tiny anatomies, options and file comparisons shared by the regions tests. */
final class RegionsTestData {
  /** Synthetic anatomy size used by the tests: small so a region takes well under a second. */
  static final int REGIONS = 6;

  static final int CHANNELS = 8;

  private RegionsTestData() {}

  /**
   * Options for a short run: 2 x 2.5 s per iteration, iterations 0 and 1, source A 3.6 mV so a few
   * seconds hold several spikes (3.5 mV, DeepSIF's value, spikes only every ~10 s).
   */
  /**
   * The default arguments below, with {@code extra} ({@code --flag=value}) replacing any default.
   */
  static List<String> args(Path out, int start, int end, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--outputDir=" + out,
                "--startRegion=" + start,
                "--endRegion=" + end,
                "--syntheticRegions=" + REGIONS,
                "--syntheticChannels=" + CHANNELS,
                "--segmentMs=2500",
                "--segments=2",
                "--iterations=0:1",
                "--sourceA=3.6",
                "--seed=11"));
    for (String e : extra) {
      // A flag given again replaces its default above (Beam rejects repeated scalar flags).
      String key = e.substring(0, e.indexOf('=') + 1);
      a.removeIf(x -> x.startsWith(key));
      a.add(e);
    }
    return a;
  }

  static RegionsOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(RegionsOptions.class);
  }

  /** The synthetic anatomy the default test options use, for writing as files. */
  static Anatomy anatomy() {
    return SyntheticAnatomy.generate(11, REGIONS, CHANNELS);
  }

  /** Writes {@code anatomy}'s connectivity as a TVB zip, leaving out {@code skip} if not null. */
  static Path writeTvbZip(Anatomy anatomy, Path zip, String skip) throws IOException {
    double[][] w = anatomy.connectivity().weights().toArray2d();
    double[][] l = anatomy.connectivity().tractLengths().toArray2d();
    double[][] c = anatomy.connectivity().centres().toArray2d();
    List<String> labels = anatomy.connectivity().labels();
    StringBuilder centres = new StringBuilder();
    for (int r = 0; r < c.length; r++) {
      centres.append(
          String.format(
              Locale.ROOT, "%s %.17g %.17g %.17g%n", labels.get(r), c[r][0], c[r][1], c[r][2]));
    }
    try (OutputStream os = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(os)) {
      entry(z, "weights.txt", matrixText(w), skip);
      entry(z, "tract_lengths.txt", matrixText(l), skip);
      entry(z, "centres.txt", centres.toString(), skip);
    }
    return zip;
  }

  private static void entry(ZipOutputStream z, String name, String text, String skip)
      throws IOException {
    if (name.equals(skip)) {
      return;
    }
    z.putNextEntry(new ZipEntry(name));
    z.write(text.getBytes(StandardCharsets.UTF_8));
    z.closeEntry();
  }

  private static String matrixText(double[][] m) {
    StringBuilder b = new StringBuilder();
    for (double[] row : m) {
      for (int j = 0; j < row.length; j++) {
        b.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.17g", row[j]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** Writes {@code anatomy}'s leadfield as variable {@code fwd} of a MAT v5 file. */
  static Path writeLeadfield(Anatomy anatomy, Path mat) throws IOException {
    MatWriter.create().withDouble("fwd", anatomy.leadfield()).write(mat);
    return mat;
  }

  /** Relative paths of all regular files under {@code dir}, sorted. */
  static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  /**
   * Every variable of a MAT file by name, as "shape: values". MAT v5 headers carry a creation time,
   * so files written at different moments are compared by content, not bytes.
   */
  static TreeMap<String, MatMatrix> matContent(Path file) throws IOException {
    TreeMap<String, MatMatrix> m = new TreeMap<>();
    try (MatReader r = MatReader.open(file)) {
      for (String v : r.variables()) {
        m.put(v, r.matrix(v));
      }
    }
    return m;
  }
}

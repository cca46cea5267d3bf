package io.beamline.pipelines.regions;

import io.beamline.framework.Inputs;
import io.beamline.framework.UserInputException;
import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.anatomy.AnatomyException;
import io.beamline.io.anatomy.AnatomyFiles;
import io.beamline.io.anatomy.Connectivity;
import io.beamline.io.anatomy.SyntheticAnatomy;
import io.beamline.io.anatomy.TvbConnectivity;
import io.beamline.io.mat.MatFileException;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.transforms.nmm.SpikeClips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The anatomy of a {@code regions} run: which files it comes from (resolved once, from the flags
 * and the anatomy folder), the loaded and checked {@link Anatomy}, and the checks that need it (the
 * region range, the memory one region's simulation takes).
 *
 * <p>The seed keeps its anatomy files in {@code ../anatomy/} and names them by file name ({@code
 * --leadfield leadfield_75_20k.mat}). A bare file name given to {@code --leadfield}, {@code
 * --connectivity}, {@code --distances} or {@code --region-mapping} is therefore looked up in the
 * anatomy folder: {@code --anatomy-dir DIR} when given (and only there), otherwise, in this order,
 * the current directory, {@code ./anatomy/}, {@code ../anatomy/} (the seed's layout, run from its
 * {@code forward/} folder) and {@code <output-dir>/../anatomy/} (the seed's {@code source/} and
 * {@code anatomy/} are siblings). A name with a directory part is used as given. With {@code
 * --leadfield} alone, the connectivity is {@code connectivity_<N>.zip} (N = the leadfield's
 * columns) next to the leadfield or in the same folders, as DeepSIF's anatomy folder names its
 * {@code connectivity_76.zip} and {@code connectivity_998.zip}.
 */
final class RegionsAnatomy {
  /**
   * Largest delay history one region's simulation may keep, in bytes: tract lengths in the wrong
   * unit (m instead of mm, or a huge value) would otherwise allocate gigabytes per region.
   */
  static final long MAX_HISTORY_BYTES = 64L << 20;

  /**
   * Largest leadfield magnitude accepted: the SNR scaling sums squares of leadfield-weighted
   * activity over channels and samples, which overflows a double well before 1e154.
   */
  static final double MAX_LEADFIELD = 1e100;

  /** Largest 500 Hz trace one region's iteration may hold in memory, in bytes. */
  static final long MAX_TRACE_BYTES = 512L << 20;

  /** Where the files of a run's anatomy come from; all null for the synthetic anatomy. */
  record Sources(Path leadfield, Path connectivity, Path distances, Path regionMapping) {
    boolean synthetic() {
      return leadfield == null;
    }

    /** Every file, for the run manifest. */
    List<Path> files() {
      List<Path> out = new ArrayList<>();
      for (Path p : new Path[] {leadfield, connectivity, distances, regionMapping}) {
        if (p != null) {
          out.add(p);
        }
      }
      return out;
    }

    /** One line for the banner: the files, or the synthetic anatomy's size. */
    String describe(RegionsOptions o) {
      if (synthetic()) {
        return "synthetic ("
            + o.getSyntheticRegions()
            + " regions, "
            + o.getSyntheticChannels()
            + " channels, seed "
            + o.getSeed()
            + ")";
      }
      return leadfield + " + " + connectivity;
    }
  }

  private RegionsAnatomy() {}

  /**
   * The folders a bare anatomy file name is looked up in, in order: {@code --anatomy-dir} alone
   * when given, otherwise {@code .}, {@code ./anatomy}, {@code ../anatomy} and {@code
   * <output-dir>/../anatomy}.
   */
  static List<Path> searchDirs(RegionsOptions o) {
    Set<Path> dirs = new LinkedHashSet<>();
    if (o.getAnatomyDir() != null) {
      dirs.add(Paths.get(o.getAnatomyDir()).toAbsolutePath().normalize());
      return new ArrayList<>(dirs);
    }
    Path cwd = Paths.get("").toAbsolutePath().normalize();
    dirs.add(cwd);
    dirs.add(cwd.resolve("anatomy"));
    Path parent = cwd.getParent();
    if (parent != null) {
      dirs.add(parent.resolve("anatomy"));
    }
    Path outParent = Paths.get(o.getOutputDir()).toAbsolutePath().normalize().getParent();
    if (outParent != null) {
      dirs.add(outParent.resolve("anatomy"));
    }
    return new ArrayList<>(dirs);
  }

  /** Resolves the anatomy flags to files; a one-line {@link UserInputException} otherwise. */
  static Sources resolve(RegionsOptions o) {
    if (o.getAnatomyDir() != null && !Files.isDirectory(Paths.get(o.getAnatomyDir()))) {
      throw new UserInputException(
          "--anatomy-dir "
              + o.getAnatomyDir()
              + " is not a directory; give the folder that holds the anatomy files (the seed's"
              + " anatomy/)");
    }
    boolean hasLeadfield = o.getLeadfield() != null;
    boolean hasConnectivity = o.getConnectivity() != null;
    if (!hasLeadfield && !hasConnectivity) {
      if (o.getDistances() != null || o.getRegionMapping() != null) {
        throw new UserInputException(
            "--distances and --region-mapping need --leadfield (and its connectivity); give them"
                + " or none of them for a synthetic anatomy");
      }
      return new Sources(null, null, null, null);
    }
    if (!hasLeadfield) {
      throw new UserInputException(
          "--connectivity needs --leadfield (channels x regions, e.g. the seed's"
              + " leadfield_75_20k.mat); give both, or neither for a synthetic anatomy");
    }
    List<Path> dirs = searchDirs(o);
    Path leadfield = find("--leadfield", o.getLeadfield(), dirs);
    Path connectivity =
        hasConnectivity
            ? find("--connectivity", o.getConnectivity(), dirs)
            : connectivityFor(leadfield, o, dirs);
    Path distances = o.getDistances() == null ? null : find("--distances", o.getDistances(), dirs);
    Path mapping =
        o.getRegionMapping() == null ? null : find("--region-mapping", o.getRegionMapping(), dirs);
    return new Sources(leadfield, connectivity, distances, mapping);
  }

  /** {@code value} as given when it has a directory part, else the first folder holding it. */
  static Path find(String flag, String value, List<Path> dirs) {
    Path given = Paths.get(value);
    if (given.isAbsolute() || given.getNameCount() > 1) {
      return Inputs.requireReadableFile(flag, value);
    }
    List<String> looked = new ArrayList<>();
    for (Path d : dirs) {
      Path candidate = d.resolve(value);
      if (Files.isRegularFile(candidate)) {
        return Inputs.requireReadableFile(flag, candidate.toString());
      }
      looked.add(d.toString());
    }
    throw new UserInputException(
        flag
            + " "
            + value
            + ": no such file in "
            + String.join(", ", looked)
            + "; put it in one of these folders, give --anatomy-dir DIR, or give its path");
  }

  /**
   * The connectivity of a leadfield given alone: {@code connectivity_<N>.zip} next to it, then in
   * the search folders.
   */
  private static Path connectivityFor(Path leadfield, RegionsOptions o, List<Path> dirs) {
    MatMatrix lf = readLeadfield(leadfield, o);
    int regions = lf.ndims() == 2 ? lf.cols() : -1;
    String name = "connectivity_" + regions + ".zip";
    Set<Path> where = new LinkedHashSet<>();
    where.add(leadfield.toAbsolutePath().getParent());
    where.addAll(dirs);
    for (Path d : where) {
      if (Files.isRegularFile(d.resolve(name))) {
        return Inputs.requireReadableFile("--connectivity", d.resolve(name).toString());
      }
    }
    String deepSif =
        regions == 994
            ? " (DeepSIF's 75 x 994 leadfield covers 994 of connectivity_998.zip's regions, which"
                + " this pipeline does not trim; give a leadfield with one column per region)"
            : "";
    throw new UserInputException(
        "--leadfield "
            + leadfield
            + " is "
            + lf.shapeString()
            + " (channels x regions) and no --connectivity was given, but no "
            + name
            + " is in "
            + String.join(", ", where.stream().map(Path::toString).toList())
            + "; give --connectivity with a "
            + regions
            + "-region TVB zip"
            + deepSif);
  }

  private static MatMatrix readLeadfield(Path file, RegionsOptions o) {
    try {
      return AnatomyFiles.readLeadfield(file, o.getLeadfieldVariable());
    } catch (MatFileException e) {
      throw new UserInputException(e.getMessage(), e);
    }
  }

  /**
   * Reads the anatomy files (or generates the synthetic anatomy) and checks that they fit together;
   * every problem is a one-line {@link UserInputException} naming the file.
   */
  static Anatomy load(RegionsOptions o, Sources src) {
    Anatomy anatomy;
    if (src.synthetic()) {
      anatomy =
          SyntheticAnatomy.generate(o.getSeed(), o.getSyntheticRegions(), o.getSyntheticChannels());
    } else {
      try {
        Connectivity c = TvbConnectivity.read(src.connectivity());
        anatomy = Anatomy.of(c, readLeadfield(src.leadfield(), o));
        if (src.distances() != null) {
          Path d = src.distances();
          anatomy =
              anatomy.withDistances(
                  AnatomyFiles.readDistances(d, variable(d, o.getDistancesVariable())));
        }
        if (src.regionMapping() != null) {
          Path m = src.regionMapping();
          anatomy =
              anatomy.withRegionMapping(
                  AnatomyFiles.readRegionMapping(
                      m,
                      variable(m, o.getRegionMappingVariable()),
                      o.getRegionMappingFirstIndex()));
        }
      } catch (AnatomyException | MatFileException e) {
        String msg = e.getMessage();
        // Every anatomy error names its file; where it says no fix, the fix is the file itself.
        throw new UserInputException(
            msg.contains(";")
                ? msg
                : msg
                    + "; fix or re-export the file (a TVB connectivity zip holds weights.txt,"
                    + " tract_lengths.txt and centres.txt; MAT files as described in"
                    + " docs/regions.md)",
            e);
      } catch (IllegalArgumentException e) {
        // Shape errors of the connectivity's own matrices name both shapes; add the files.
        throw new UserInputException(
            e.getMessage() + " (" + src.connectivity() + ", " + src.leadfield() + ")", e);
      }
    }
    List<String> problems = anatomy.problems();
    if (!problems.isEmpty()) {
      throw new UserInputException(
          "invalid anatomy"
              + (src.synthetic() ? "" : " (" + src.leadfield() + ", " + src.connectivity() + ")")
              + ": "
              + String.join("; ", problems));
    }
    return anatomy;
  }

  /**
   * Checks what depends on the anatomy: the region range (0-based, end exclusive) against its
   * region count, and the memory one region's simulation needs.
   */
  static void check(RegionsOptions o, Sources src, Anatomy anatomy) {
    int n = anatomy.regions();
    String which =
        src.synthetic()
            ? "the synthetic anatomy has " + n + " regions (--synthetic-regions)"
            : src.connectivity().getFileName() + " has " + n + " regions";
    if (o.getStartRegion() >= n) {
      throw new UserInputException(
          "--start-region "
              + o.getStartRegion()
              + " is past the last region: "
              + which
              + ", numbered 0.."
              + (n - 1)
              + "; give --start-region "
              + (n - 1)
              + " or less");
    }
    if (o.getEndRegion() > n) {
      throw new UserInputException(
          "--end-region "
              + o.getEndRegion()
              + " is beyond the anatomy: "
              + which
              + ", numbered 0.."
              + (n - 1)
              + ", and --end-region is exclusive; give --end-region "
              + n
              + " or less");
    }
    double largest = 0;
    for (int k = 0; k < anatomy.leadfield().size(); k++) {
      largest = Math.max(largest, Math.abs(anatomy.leadfield().getFlat(k)));
    }
    if (largest > MAX_LEADFIELD) {
      throw new UserInputException(
          String.format(
              Locale.ROOT,
              "the leadfield%s has values up to %.3g, beyond %.0g where the SNR power sums"
                  + " overflow; check its units and rescale it",
              src.synthetic() ? "" : " " + src.leadfield(),
              largest,
              MAX_LEADFIELD));
    }
    double[][] w = anatomy.connectivity().weights().toArray2d();
    double[][] l = anatomy.connectivity().tractLengths().toArray2d();
    double longest = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (w[i][j] != 0) {
          longest = Math.max(longest, l[i][j]);
        }
      }
    }
    double steps = Math.rint(longest / o.getConductionSpeed() / o.getDtMs()) + 2;
    double history = steps * n * 8;
    if (history > MAX_HISTORY_BYTES) {
      throw new UserInputException(
          String.format(
              Locale.ROOT,
              "the longest tract (%.4g mm%s) at --conduction-speed %s mm/ms and --dt-ms %s is a"
                  + " delay of %.0f steps: %.1f MB of history per region, more than %d MB; check"
                  + " that tract_lengths.txt is in mm, or raise --conduction-speed",
              longest,
              src.synthetic() ? "" : ", " + src.connectivity().getFileName(),
              fmt(o.getConductionSpeed()),
              fmt(o.getDtMs()),
              steps,
              history / 1e6,
              MAX_HISTORY_BYTES >> 20));
    }
    double steps500 =
        (o.getSegments() * o.getSegmentMs() / o.getDtMs() - SpikeClips.DEEPSIF_DROP_SAMPLES)
            / SpikeClips.DEEPSIF_DOWNSAMPLE_FACTOR;
    double trace = steps500 * n * 4;
    if (trace > MAX_TRACE_BYTES) {
      throw new UserInputException(
          String.format(
              Locale.ROOT,
              "--segments %d x --segment-ms %s at --dt-ms %s over %d regions is a %.0f MB trace"
                  + " per region and iteration, more than %d MB; simulate less per iteration"
                  + " (lower --segments or --segment-ms)",
              o.getSegments(),
              fmt(o.getSegmentMs()),
              fmt(o.getDtMs()),
              n,
              trace / 1e6,
              MAX_TRACE_BYTES >> 20));
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.6g", v);
  }

  /** The named variable, or the file's only variable when none is named. */
  private static String variable(Path file, String named) throws MatFileException {
    if (named != null) {
      return named;
    }
    try (MatReader r = MatReader.open(file)) {
      List<String> vars = r.variables();
      if (vars.size() != 1) {
        throw new UserInputException(
            file
                + " holds "
                + vars.size()
                + " variables "
                + vars
                + "; name the one to use with its --...-variable flag");
      }
      return vars.get(0);
    }
  }
}

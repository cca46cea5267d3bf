package io.beamline.io.swf;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * STF and TF file names: {@code swf.<run>.<seq:06d>.stf} as the original testbed names them, and
 * the fast-monitoring TF files cut from them.
 */
public final class StfNames {
  private static final Pattern STF = Pattern.compile("swf\\.(\\d+)\\.(\\d{6,})\\.stf");

  private StfNames() {}

  /** The file name of STF {@code sequence} of {@code run}. */
  public static String stf(long run, int sequence) {
    return String.format("swf.%d.%06d.stf", run, sequence);
  }

  /** The run and sequence of an STF file name, if it is one. */
  public static Optional<long[]> parse(String filename) {
    Matcher m = STF.matcher(filename);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
  }

  /**
   * The name of the TF file that fast monitoring cuts from {@code stfFilename}, TFs first..last.
   */
  public static String tfFile(String stfFilename, int tfFirst, int tfLast) {
    String base =
        stfFilename.endsWith(".stf")
            ? stfFilename.substring(0, stfFilename.length() - 4)
            : stfFilename;
    return String.format("%s.tf%04d-%04d.tf", base, tfFirst, tfLast);
  }
}

package io.beamline.pipelines.regions;

import static io.beamline.pipelines.regions.RegionsTestData.CHANNELS;
import static io.beamline.pipelines.regions.RegionsTestData.REGIONS;
import static io.beamline.pipelines.regions.RegionsTestData.args;
import static io.beamline.pipelines.regions.RegionsTestData.files;
import static io.beamline.pipelines.regions.RegionsTestData.matContent;
import static io.beamline.pipelines.regions.RegionsTestData.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the regions command accepts before it writes anything: region ranges against the anatomy,
 * anatomy files found by name in the anatomy folder, and bad anatomy files, each a one-line error
 * naming the input and the fix, with nothing written.
 */
class RegionsInputsTest {
  @TempDir Path dir;

  /** Runs the whole command path (validation first) and returns its one-line error. */
  private String refused(List<String> a) {
    UserInputException e =
        assertThrows(
            UserInputException.class, () -> Runs.run(new RegionsPipeline(), options(a), a));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void aRangeBeyondTheAnatomyIsRefusedBeforeAnythingIsWritten() {
    Path out = dir.resolve("out");
    // The case: regions 75..79 of a 76-region anatomy.
    String e = refused(args(out, 75, 80, "--syntheticRegions=76"));
    assertEquals(
        "--end-region 80 is beyond the anatomy: the synthetic anatomy has 76 regions"
            + " (--synthetic-regions), numbered 0..75, and --end-region is exclusive; give"
            + " --end-region 76 or less",
        e);
    assertFalse(Files.exists(out));
    e = refused(args(out, 6, 8));
    assertThat(e, containsString("--start-region 6 is past the last region"));
    assertThat(e, containsString("give --start-region 5 or less"));
    assertFalse(Files.exists(out));
  }

  @Test
  void theRangeIsCheckedAgainstAConnectivityFile() throws Exception {
    Anatomy anatomy = RegionsTestData.anatomy();
    Path zip = RegionsTestData.writeTvbZip(anatomy, dir.resolve("connectivity_6.zip"), null);
    Path lf = RegionsTestData.writeLeadfield(anatomy, dir.resolve("lf.mat"));
    Path out = dir.resolve("out");
    String e = refused(args(out, 0, 7, "--connectivity=" + zip, "--leadfield=" + lf));
    assertThat(e, containsString("connectivity_6.zip has 6 regions, numbered 0..5"));
    assertThat(e, containsString("give --end-region 6 or less"));
    assertFalse(Files.exists(out));
  }

  @Test
  void aLeadfieldNameAloneIsFoundInTheAnatomyFolderWithItsConnectivity() throws Exception {
    Anatomy anatomy = RegionsTestData.anatomy();
    // The seed's layout: <base>/anatomy beside <base>/source (the output directory).
    Path anatomyDir = Files.createDirectories(dir.resolve("base/anatomy"));
    RegionsTestData.writeTvbZip(anatomy, anatomyDir.resolve("connectivity_6.zip"), null);
    RegionsTestData.writeLeadfield(anatomy, anatomyDir.resolve("leadfield_8_6.mat"));
    Path out = dir.resolve("base/source");
    RunRecord r =
        Runs.run(
            new RegionsPipeline(),
            options(args(out, 2, 3, "--leadfield=leadfield_8_6.mat", "--iterations=0")),
            List.of());
    assertEquals("succeeded", r.status(), r.error());
    // The same anatomy from files gives the clips of the synthetic one it was written from.
    Path synthetic = dir.resolve("synthetic");
    Runs.run(new RegionsPipeline(), options(args(synthetic, 2, 3, "--iterations=0")), List.of());
    List<String> names = files(out.resolve("nmm_spikes"));
    assertEquals(files(synthetic.resolve("nmm_spikes")), names);
    for (String f : names) {
      assertEquals(
          matContent(synthetic.resolve("nmm_spikes").resolve(f)),
          matContent(out.resolve("nmm_spikes").resolve(f)),
          f);
    }
    // The manifest records the files that were found.
    assertThat(
        Files.readString(r.runDir().resolve("manifest.json")),
        containsString(anatomyDir.resolve("leadfield_8_6.mat").toString()));

    // --anatomy-dir names the folder explicitly, wherever the output goes; the seed's distance
    // matrix is found by name too.
    MatWriter.create()
        .withDouble("raw_dis_matrix", anatomy.distances())
        .write(anatomyDir.resolve("dis_matrix_fs_20k.mat"));
    RunRecord elsewhere =
        Runs.run(
            new RegionsPipeline(),
            options(
                args(
                    dir.resolve("elsewhere"),
                    2,
                    3,
                    "--anatomyDir=" + anatomyDir,
                    "--leadfield=leadfield_8_6.mat",
                    "--connectivity=connectivity_6.zip",
                    "--distances=dis_matrix_fs_20k.mat",
                    "--iterations=0")),
            List.of());
    assertEquals("succeeded", elsewhere.status(), elsewhere.error());
    assertThat(
        Files.readString(elsewhere.runDir().resolve("manifest.json")),
        containsString(anatomyDir.resolve("dis_matrix_fs_20k.mat").toString()));
  }

  @Test
  void anAbsentLeadfieldNameListsWhereItLooked() throws Exception {
    Path anatomyDir = Files.createDirectories(dir.resolve("base/anatomy"));
    Path out = dir.resolve("base/source");
    // The seed's Example 4 without its file.
    String e = refused(args(out, 0, 2, "--leadfield=leadfield_32_20k.mat"));
    assertThat(e, containsString("--leadfield leadfield_32_20k.mat: no such file in "));
    assertThat(e, containsString(Path.of("").toAbsolutePath().resolve("anatomy").toString()));
    assertThat(e, containsString(anatomyDir.toString()));
    assertThat(e, containsString("give --anatomy-dir DIR, or give its path"));
    assertFalse(Files.exists(out));
    e = refused(args(out, 0, 2, "--anatomyDir=" + anatomyDir, "--leadfield=leadfield_32_20k.mat"));
    assertEquals(
        "--leadfield leadfield_32_20k.mat: no such file in "
            + anatomyDir
            + "; put it in one of these folders, give --anatomy-dir DIR, or give its path",
        e);
    assertThat(
        refused(args(out, 0, 2, "--anatomyDir=" + dir.resolve("nope"), "--leadfield=x.mat")),
        containsString("--anatomy-dir " + dir.resolve("nope") + " is not a directory"));
    assertFalse(Files.exists(out));
  }

  @Test
  void aLeadfieldWithoutItsConnectivityNamesTheFileItLookedFor() throws Exception {
    Path anatomyDir = Files.createDirectories(dir.resolve("anatomy"));
    MatWriter.create()
        .withDouble("fwd", MatMatrix.zeros(75, 994))
        .write(anatomyDir.resolve("leadfield_75_20k.mat"));
    String e =
        refused(
            args(
                dir.resolve("out"),
                0,
                2,
                "--anatomyDir=" + anatomyDir,
                "--leadfield=leadfield_75_20k.mat"));
    assertThat(e, containsString("is 75 x 994 (channels x regions)"));
    assertThat(e, containsString("no connectivity_994.zip is in " + anatomyDir));
    assertThat(e, containsString("give --connectivity with a 994-region TVB zip"));
  }

  @Test
  void hugeValuesAreRefusedBeforeTheyAreUsed() throws Exception {
    Anatomy a = RegionsTestData.anatomy();
    double[][] l = a.connectivity().tractLengths().toArray2d();
    for (double[] row : l) {
      for (int j = 0; j < row.length; j++) {
        row[j] *= 1e6; // metres given as micrometres
      }
    }
    Anatomy far =
        Anatomy.of(
            io.beamline.io.anatomy.Connectivity.of(
                a.connectivity().labels(),
                a.connectivity().centres(),
                a.connectivity().weights(),
                MatMatrix.fromArray2d(l)),
            a.leadfield());
    Path zip = RegionsTestData.writeTvbZip(far, dir.resolve("far.zip"), null);
    Path lf = RegionsTestData.writeLeadfield(far, dir.resolve("lf.mat"));
    String e =
        refused(args(dir.resolve("out"), 0, 2, "--connectivity=" + zip, "--leadfield=" + lf));
    assertThat(e, containsString("far.zip"));
    assertThat(e, containsString("check that tract_lengths.txt is in mm"));
    assertThat(
        refused(args(dir.resolve("out"), 0, 2, "--segmentMs=1e9")),
        containsString("simulate less per iteration"));
    // Huge but finite leadfield values would overflow the SNR scaling into NaN clips.
    double[][] f = a.leadfield().toArray2d();
    f[0][0] = 1e300;
    Path hugeLf = dir.resolve("huge_lf.mat");
    MatWriter.create().withDouble("fwd", MatMatrix.fromArray2d(f)).write(hugeLf);
    Path zip6 = RegionsTestData.writeTvbZip(a, dir.resolve("conn6.zip"), null);
    String huge =
        refused(args(dir.resolve("out"), 0, 2, "--connectivity=" + zip6, "--leadfield=" + hugeLf));
    assertThat(huge, containsString("huge_lf.mat has values up to 1.00e+300"));
    assertThat(huge, containsString("check its units and rescale it"));
    assertFalse(Files.exists(dir.resolve("out")));
  }

  /** A MAT v5 file whose header claims a 10^6 x 10^6 double leadfield in a few hundred bytes. */
  static Path lyingLeadfield(Path file) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(248).order(ByteOrder.LITTLE_ENDIAN);
    byte[] text =
        String.format("%-116s", "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test")
            .getBytes(StandardCharsets.US_ASCII);
    b.put(text).put(new byte[8]).putShort((short) 0x0100).put((byte) 'I').put((byte) 'M');
    b.putInt(14).putInt(0x7FFFFFF8 + 64); // miMATRIX, claimed size
    b.putInt(6).putInt(8).putInt(6).putInt(0); // array flags: double
    b.putInt(5).putInt(8).putInt(1_000_000).putInt(1_000_000); // dimensions
    b.putShort((short) 1).putShort((short) 3).put("fwd\0".getBytes(StandardCharsets.US_ASCII));
    b.putInt(9).putInt(0x7FFFFFF8); // miDOUBLE, 2 GB claimed; the file ends soon after
    Files.write(file, b.array());
    return file;
  }

  @Test
  void aLeadfieldWhoseHeaderLiesIsOneLineWithoutAllocatingIt() throws Exception {
    Anatomy anatomy = RegionsTestData.anatomy();
    Path zip = RegionsTestData.writeTvbZip(anatomy, dir.resolve("conn.zip"), null);
    Path lf = lyingLeadfield(dir.resolve("lying.mat"));
    long before = usedHeap();
    String e =
        refused(args(dir.resolve("out"), 0, 2, "--connectivity=" + zip, "--leadfield=" + lf));
    assertThat(e, containsString("lying.mat claims a variable of 2147483704 bytes"));
    assertThat(e, containsString("re-create or re-download the file"));
    assertThat("heap grew by MB", (usedHeap() - before) / 1e6 < 256);
    assertFalse(Files.exists(dir.resolve("out")));
    // A wrong-shape leadfield names both shapes (the bad-input corpus's wrong-shape .mat).
    Path wide = dir.resolve("wide.mat");
    MatWriter.create().withDouble("fwd", MatMatrix.zeros(CHANNELS, REGIONS + 1)).write(wide);
    assertThat(
        refused(args(dir.resolve("out"), 0, 2, "--connectivity=" + zip, "--leadfield=" + wide)),
        containsString(CHANNELS + " x " + (REGIONS + 1)));
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}

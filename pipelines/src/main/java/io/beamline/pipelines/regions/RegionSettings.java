package io.beamline.pipelines.regions;

import java.io.Serializable;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides a region's files: the anatomy, how regions are simulated and their spikes
 * extracted, and where the files go. Resolved once from the options ({@link RegionsConfigs}) and
 * shared by the modules' configs.
 *
 * @param anatomy the run's anatomy arrays
 * @param simulation simulation and spike settings
 * @param output the output directory and spike folder name
 */
record RegionSettings(RegionAnatomy anatomy, SimulationConfig simulation, RegionsOutput output)
    implements Serializable {

  RegionSettings {
    if (anatomy == null || simulation == null || output == null) {
      throw new IllegalArgumentException("anatomy, simulation and output are required");
    }
  }

  /**
   * A SHA-256 over everything that decides a region's files: the connectivity and leadfield arrays,
   * the simulation and spike parameters, the seed and {@code --keep-raw}. A region committed with
   * another fingerprint was made with other settings and is done again, never reused. Labels,
   * centres and distances are left out: they shape the synthetic sources only.
   */
  String fingerprint() {
    SimulationConfig s = simulation;
    MessageDigest d = Digests.sha256();
    Digests.update(d, "beamline-regions-1");
    Digests.update(d, anatomy.weights);
    Digests.update(d, anatomy.tractLengthsMm);
    Digests.update(d, anatomy.leadfield);
    Digests.update(
        d,
        s.conductionSpeed(),
        s.couplingA(),
        s.dtMs(),
        s.segmentMs(),
        s.segments(),
        s.sourceA(),
        s.targetSnrDb(),
        s.seed(),
        s.keepRaw() ? 1 : 0);
    for (int m : s.iterations()) {
      Digests.update(d, m);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** The settings of {@link #fingerprint} by name, for the commit record (arrays by digest). */
  Map<String, Object> describe() {
    SimulationConfig s = simulation;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("regions", anatomy.regions());
    m.put("channels", anatomy.channels());
    m.put("anatomy_sha256", anatomy.sha256());
    m.put("conduction_speed", s.conductionSpeed());
    m.put("coupling_a", s.couplingA());
    m.put("dt_ms", s.dtMs());
    m.put("segment_ms", s.segmentMs());
    m.put("segments", s.segments());
    m.put("iterations", Arrays.stream(s.iterations()).boxed().toList());
    m.put("source_a", s.sourceA());
    m.put("target_snr_db", s.targetSnrDb());
    m.put("seed", s.seed());
    m.put("keep_raw", s.keepRaw());
    return m;
  }
}

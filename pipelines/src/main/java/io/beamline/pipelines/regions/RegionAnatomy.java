package io.beamline.pipelines.regions;

import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.anatomy.Connectivity;
import java.io.Serializable;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A run's anatomy as plain serialisable arrays, loaded (or generated) once in the driver and
 * shipped inside the modules' configs, so no worker re-reads anatomy files. Arrays are shared, not
 * copied: nothing changes them after {@link #of}. Its text (display data, the plan) is its size and
 * digest, not its values.
 */
final class RegionAnatomy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code weights[target][source]}, N x N. */
  final double[][] weights;

  /** Tract lengths in mm, N x N. */
  final double[][] tractLengthsMm;

  /** {@code leadfield[channel][region]}, C x N. */
  final double[][] leadfield;

  /** Region labels, N (for the summary). */
  final String[] labels;

  /** Region centres, N x 3, mm (to grow source patches). */
  final double[][] centres;

  /** Region distances, N x N, mm (magnitude fall-off in source patches). */
  final double[][] distances;

  RegionAnatomy(
      double[][] weights,
      double[][] tractLengthsMm,
      double[][] leadfield,
      String[] labels,
      double[][] centres,
      double[][] distances) {
    this.weights = weights;
    this.tractLengthsMm = tractLengthsMm;
    this.leadfield = leadfield;
    this.labels = labels;
    this.centres = centres;
    this.distances = distances;
  }

  /** The arrays of a loaded, checked {@link Anatomy}. */
  static RegionAnatomy of(Anatomy anatomy) {
    Connectivity c = anatomy.connectivity();
    return new RegionAnatomy(
        c.weights().toArray2d(),
        c.tractLengths().toArray2d(),
        anatomy.leadfield().toArray2d(),
        c.labels().toArray(new String[0]),
        c.centres().toArray2d(),
        anatomy.distances().toArray2d());
  }

  /** Number of regions N. */
  int regions() {
    return weights.length;
  }

  /** Number of channels C. */
  int channels() {
    return leadfield.length;
  }

  /** The label of {@code region}, or empty outside the anatomy. */
  String label(int region) {
    return region >= 0 && region < labels.length ? labels[region] : "";
  }

  /** SHA-256 of the arrays that shape the simulation: weights, tract lengths, leadfield. */
  String sha256() {
    MessageDigest d = Digests.sha256();
    Digests.update(d, weights);
    Digests.update(d, tractLengthsMm);
    Digests.update(d, leadfield);
    return HexFormat.of().formatHex(d.digest());
  }

  @Override
  public String toString() {
    return regions() + " regions, " + channels() + " channels, sha256 " + sha256();
  }
}

/**
 * {@code beamline infer import}: results of other tools (HawkEars' {@code HawkEars_labels.csv},
 * Audacity label files, Raven selection tables of BirdNET or made by hand, BirdNET-style CSVs) into
 * the canonical detections table, so {@code infer aggregate} counts them with {@code infer run}'s.
 * The formats themselves are read by their classes in {@link io.beamline.pipelines.infer.formats}.
 */
package io.beamline.pipelines.infer.imports;

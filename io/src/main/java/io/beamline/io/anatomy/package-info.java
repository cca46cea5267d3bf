/**
 * Head anatomy for source imaging: {@link io.beamline.io.anatomy.Anatomy} (connectivity, leadfield,
 * distances, region mapping) with {@link io.beamline.io.anatomy.Anatomy#validate()}, the TVB
 * connectivity zip reader {@link io.beamline.io.anatomy.TvbConnectivity}, MAT-file loaders in
 * {@link io.beamline.io.anatomy.AnatomyFiles}, and {@link io.beamline.io.anatomy.SyntheticAnatomy}
 * for runs without downloaded data.
 */
package io.beamline.io.anatomy;

/**
 * Numeric kernels of the {@code regions} pipeline (a re-creation of DeepSIF's training-data
 * generation): a Jansen-Rit neural-mass network simulator, the spike extraction and SNR scaling of
 * DeepSIF's {@code process_raw_nmm.m}, the patch growing of {@code generate_sythetic_source.m} and
 * the sensor-space mixing of its training loader.
 *
 * <p>Everything here is plain Java over primitive arrays with no Beam inside (STYLE rule 8), so the
 * pipeline can call it from a DoFn and tests can check it against known values. Units follow The
 * Virtual Brain (TVB): time in ms, potentials in mV, rates in 1/ms.
 *
 * <ul>
 *   <li>{@link io.beamline.transforms.nmm.JansenRitParameters}, {@link
 *       io.beamline.transforms.nmm.SigmoidalJansenRitCoupling} and {@link
 *       io.beamline.transforms.nmm.RegionConnectivity} describe a network;
 *   <li>{@link io.beamline.transforms.nmm.JansenRitSimulator} is the fast kernel, {@link
 *       io.beamline.transforms.nmm.NaiveJansenRit} a direct transcription used as a test oracle;
 *   <li>{@link io.beamline.transforms.nmm.SpikeClips} holds the spike-processing steps;
 *   <li>{@link io.beamline.transforms.nmm.SourcePatches} grows source patches over a region graph;
 *   <li>{@link io.beamline.transforms.nmm.SensorMixing} places spike clips on source patches,
 *       projects them through the leadfield and adds sensor noise at a target SNR (DeepSIF's
 *       loader).
 * </ul>
 */
package io.beamline.transforms.nmm;

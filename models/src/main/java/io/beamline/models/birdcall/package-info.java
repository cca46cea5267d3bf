/**
 * The project's own bird-call detector: a small CNN ({@link
 * io.beamline.models.birdcall.BirdCallNet}) over quarter-resolution HawkEars-like log-mel
 * spectrograms ({@link io.beamline.models.birdcall.BirdCallFeatures}) of 3 s, 28 kHz segments,
 * trained by {@link io.beamline.models.birdcall.BirdCallTrainer} on seeded synthetic calls, scored
 * by {@link io.beamline.models.birdcall.BirdCallEvaluator}, and served through {@link
 * io.beamline.models.inference.InferenceWorker} with {@link
 * io.beamline.models.birdcall.BirdCallModel#spec(java.nio.file.Path)}.
 */
package io.beamline.models.birdcall;

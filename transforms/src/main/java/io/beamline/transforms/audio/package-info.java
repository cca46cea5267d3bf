/**
 * Audio DSP kernels for bird-call inference: plain Java over primitive arrays, no Beam inside.
 *
 * <ul>
 *   <li>{@link io.beamline.transforms.audio.Resampler}: band-limited arbitrary-ratio resampling
 *       (Kaiser-windowed sinc) and channel downmix.
 *   <li>{@link io.beamline.transforms.audio.Fft}: real power-of-two FFT.
 *   <li>{@link io.beamline.transforms.audio.MelSpectrogram}: Hann-windowed STFT, mel filterbank,
 *       log with floor; {@link io.beamline.transforms.audio.MelSpectrogram#hawkEarsLike()} gives
 *       the 192 x 384 HawkEars-style input.
 *   <li>{@link io.beamline.transforms.audio.Chunker}: fixed-length chunk plans with ids {@code
 *       <recording>_<start_ms>_<end_ms>}.
 *   <li>{@link io.beamline.transforms.audio.BirdCallSynth}: seeded synthetic labelled calls in
 *       noise for training and tests.
 * </ul>
 *
 * <p>This package does not depend on {@code io.beamline.io.audio}: callers pass {@code float[]}
 * channels (for example {@code Audio.channel(c)}).
 */
package io.beamline.transforms.audio;

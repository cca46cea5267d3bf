/**
 * WAV (RIFF/WAVE) audio: a dependency-free reader and writer for recordings from field recorders.
 *
 * <p>{@link io.beamline.io.audio.WavReader} reads PCM 8/16/24/32-bit integer, IEEE float 32/64 and
 * {@code WAVE_FORMAT_EXTENSIBLE} files with any channel count and sample rate, can report only the
 * header, and can decode a frame range by seeking (for chunking long recordings). {@link
 * io.beamline.io.audio.WavWriter} writes atomically (temporary file + rename). Every problem with
 * the bytes of a file is reported as a one-line {@link io.beamline.io.audio.WavFormatException}.
 *
 * <pre>{@code
 * WavHeader h = WavReader.readHeader(path);            // no samples decoded
 * Audio first3s = WavReader.read(path, 0, 3 * h.sampleRate());
 * WavWriter.write(out, first3s, WavEncoding.PCM_16);
 * }</pre>
 */
package io.beamline.io.audio;

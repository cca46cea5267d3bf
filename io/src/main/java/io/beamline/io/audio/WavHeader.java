package io.beamline.io.audio;

/**
 * What a WAV file holds, read from its {@code fmt } and {@code data} chunk headers without decoding
 * samples.
 *
 * @param fileName name used in messages (the file name, not the full path)
 * @param sampleRate frames per second, {@code >= 1}
 * @param channels interleaved channels per frame, {@code >= 1}
 * @param bitsPerSample valid bits per sample as declared by the file (for {@code
 *     WAVE_FORMAT_EXTENSIBLE} the {@code wValidBitsPerSample} field; may be less than the container
 *     size of {@link #encoding()})
 * @param encoding how samples are stored (container size and integer/float)
 * @param formatTag the {@code wFormatTag} of the file: 1 PCM, 3 IEEE float, 0xFFFE extensible
 * @param frames number of complete frames in the {@code data} chunk (a trailing partial frame,
 *     which cannot be decoded, is not counted)
 * @param dataOffset byte offset of the first sample in the file
 * @param blockAlign bytes per frame ({@code channels * encoding.bytes()})
 */
public record WavHeader(
    String fileName,
    int sampleRate,
    int channels,
    int bitsPerSample,
    WavEncoding encoding,
    int formatTag,
    long frames,
    long dataOffset,
    int blockAlign) {

  /** Duration in seconds: {@code frames / sampleRate}. */
  public double durationSeconds() {
    return (double) frames / sampleRate;
  }

  /** True when the file uses {@code WAVE_FORMAT_EXTENSIBLE} (format tag 0xFFFE). */
  public boolean isExtensible() {
    return formatTag == 0xFFFE;
  }
}

package io.beamline.transforms.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a recording of {@code N} frames at rate {@code R} into fixed-length chunks, with ids
 * {@code <recording>_<start_ms>_<end_ms>} as in the BADC chunk manifest.
 *
 * <p>Chunk length {@code L = round(chunkSeconds * R)} frames and step {@code L -
 * round(overlapSeconds * R)} frames (defaults: 3 s, no overlap). Chunks start at {@code 0, step, 2
 * step, ...}; the plan stops after the first chunk that reaches the end of the recording, so no
 * chunk lies entirely inside the one before it.
 *
 * <p>Final partial chunk: with {@link Partial#PAD} (default) it is kept, flagged {@link
 * Chunk#partial()}, and {@link #extract(float[], Chunk)} zero-pads it to the full {@code L} frames
 * so models always see the same input length; its id and {@code endMs} are the real end of the
 * audio, not the padded end, so ids never claim audio that does not exist. With {@link
 * Partial#DROP} it is left out (a recording shorter than one chunk then yields no chunks).
 * Millisecond values are {@code frame * 1000 / R} rounded to the nearest integer (half up).
 *
 * <pre>{@code
 * List<Chunker.Chunk> plan = Chunker.defaults().plan("rec1", frames, 28_000);
 * float[] x = Chunker.extract(samples, plan.get(0)); // always 84000 samples
 * }</pre>
 */
public final class Chunker {
  /** What to do with a last chunk shorter than the chunk length. */
  public enum Partial {
    /** Keep it, flag it and zero-pad it to full length when extracted. */
    PAD,
    /** Leave it out. */
    DROP
  }

  /**
   * One chunk.
   *
   * @param id {@code <recording>_<startMs>_<endMs>}
   * @param recordingId the recording
   * @param index position in the plan, from 0
   * @param startFrame first frame (inclusive)
   * @param endFrame last frame (exclusive), at most the recording length
   * @param lengthFrames the full chunk length {@code L}; {@code endFrame - startFrame} is less for
   *     a partial chunk
   * @param startMs {@code startFrame} in ms
   * @param endMs {@code endFrame} in ms
   * @param partial true when {@code endFrame - startFrame < lengthFrames}
   */
  public record Chunk(
      String id,
      String recordingId,
      int index,
      long startFrame,
      long endFrame,
      int lengthFrames,
      long startMs,
      long endMs,
      boolean partial) {

    /** Zero frames appended by {@link Chunker#extract} to reach {@code lengthFrames}. */
    public int paddingFrames() {
      return lengthFrames - (int) (endFrame - startFrame);
    }
  }

  private final double chunkSeconds;
  private final double overlapSeconds;
  private final Partial partial;

  private Chunker(double chunkSeconds, double overlapSeconds, Partial partial) {
    this.chunkSeconds = chunkSeconds;
    this.overlapSeconds = overlapSeconds;
    this.partial = partial;
  }

  /** 3-second chunks, no overlap, partial last chunk padded. */
  public static Chunker defaults() {
    return new Chunker(3.0, 0.0, Partial.PAD);
  }

  /** Chunk length in seconds, {@code > 0}; default 3. */
  public Chunker withChunkSeconds(double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("chunkSeconds must be > 0, got " + seconds);
    }
    return new Chunker(seconds, overlapSeconds, partial);
  }

  /** Overlap between consecutive chunks in seconds, {@code [0, chunkSeconds)}; default 0. */
  public Chunker withOverlapSeconds(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("overlapSeconds must be >= 0, got " + seconds);
    }
    return new Chunker(chunkSeconds, seconds, partial);
  }

  /** Handling of a final partial chunk; default {@link Partial#PAD}. */
  public Chunker withPartial(Partial p) {
    return new Chunker(chunkSeconds, overlapSeconds, java.util.Objects.requireNonNull(p));
  }

  /**
   * The chunk plan for a recording.
   *
   * @param recordingId non-empty id used in chunk ids
   * @param frames recording length in frames, {@code >= 0} (0 gives an empty plan)
   * @param sampleRate frames per second, {@code >= 1}
   */
  public List<Chunk> plan(String recordingId, long frames, int sampleRate) {
    if (recordingId == null || recordingId.isEmpty()) {
      throw new IllegalArgumentException("recordingId must be non-empty");
    }
    if (frames < 0 || sampleRate < 1) {
      throw new IllegalArgumentException(
          "need frames >= 0 and sampleRate >= 1, got " + frames + " and " + sampleRate);
    }
    long length = Math.round(chunkSeconds * sampleRate);
    long overlap = Math.round(overlapSeconds * sampleRate);
    if (length < 1 || length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "chunk of "
              + chunkSeconds
              + " s at "
              + sampleRate
              + " Hz is "
              + length
              + " frames; need [1, 2^31)");
    }
    if (overlap >= length) {
      throw new IllegalArgumentException(
          "overlap " + overlapSeconds + " s must be shorter than the chunk " + chunkSeconds + " s");
    }
    long step = length - overlap;
    List<Chunk> out = new ArrayList<>();
    for (long start = 0; start < frames; start += step) {
      long end = Math.min(start + length, frames);
      boolean isPartial = end - start < length;
      if (!(isPartial && partial == Partial.DROP)) {
        long startMs = ms(start, sampleRate);
        long endMs = ms(end, sampleRate);
        out.add(
            new Chunk(
                chunkId(recordingId, startMs, endMs),
                recordingId,
                out.size(),
                start,
                end,
                (int) length,
                startMs,
                endMs,
                isPartial));
      }
      if (start + length >= frames) {
        break;
      }
    }
    return out;
  }

  /**
   * The samples of {@code chunk} from the whole recording {@code samples}, zero-padded to {@code
   * chunk.lengthFrames()}.
   */
  public static float[] extract(float[] samples, Chunk chunk) {
    if (chunk.endFrame() > samples.length) {
      throw new IllegalArgumentException(
          "chunk "
              + chunk.id()
              + " ends at frame "
              + chunk.endFrame()
              + " but the recording has "
              + samples.length);
    }
    float[] out = Arrays.copyOfRange(samples, (int) chunk.startFrame(), (int) chunk.endFrame());
    return Arrays.copyOf(out, chunk.lengthFrames());
  }

  private static long ms(long frame, int rate) {
    return (frame * 2000 + rate) / (2L * rate);
  }

  /**
   * The id of the chunk of {@code recordingId} from {@code startMs} to {@code endMs}: {@code
   * <recording>_<start_ms>_<end_ms>} (BADC's chunk id).
   */
  public static String chunkId(String recordingId, long startMs, long endMs) {
    return recordingId + "_" + startMs + "_" + endMs;
  }
}

package io.beamline.pipelines.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavHeader;
import io.beamline.io.audio.WavReader;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import io.beamline.transforms.audio.Chunker;
import io.beamline.transforms.audio.Resampler;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chunks one recording: plain Java, no Beam, so the pipeline's DoFn is a thin wrapper and the work
 * is testable on its own.
 *
 * <p>Steps: refuse a path whose real location is outside the recordings directory (a symlink
 * pointing out of it); write {@code manifests/<id>.chunk_status.json} with {@code in_progress};
 * read the WAV header; plan chunks with {@link Chunker} at the recording's own rate (so ids and
 * milliseconds refer to the recording); for each chunk read its frames plus enough context on both
 * sides for the resampling filter, resample every channel to the target rate with {@link
 * Resampler}, cut the chunk, zero-pad a partial last chunk to the full length, and write it as a
 * 32-bit float WAV (no requantisation of the resampled values) under {@code
 * chunks/<id>/<chunk_id>.wav}; then write {@code manifests/<id>.csv} ({@link ChunkManifest}) and
 * the status {@code completed}. Every file is written under a temporary name and renamed. Channels
 * are kept (the model's pre-processing decides how to mix them); the manifest records how many.
 *
 * <p>Context reads make a chunk's samples the same as those of resampling the whole recording and
 * cutting it (away from the recording's own ends), so chunk boundaries add no filter edge effects.
 *
 * <p>A recording whose status is {@code completed} with the same settings and whose chunk files all
 * exist is skipped and its manifest re-read.
 */
final class RecordingChunks implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What happened to one recording. */
  enum Outcome {
    COMPLETED,
    SKIPPED,
    FAILED
  }

  /** The outcome, the manifest entries (empty when failed) and the one-line reason of a failure. */
  record Result(
      String recordingId, Outcome outcome, List<ChunkManifest.Entry> entries, String reason)
      implements Serializable {}

  private final String recordingsRoot;
  private final String outputRoot;
  private final double chunkSeconds;
  private final double overlapSeconds;
  private final Chunker.Partial partial;
  private final int targetRate;

  /**
   * @param recordingsRoot the recordings directory; inputs must really lie inside it
   * @param outputRoot the output directory; {@code chunks/} and {@code manifests/} go under it
   * @param chunkSeconds chunk length in seconds, {@code > 0}
   * @param overlapSeconds overlap in seconds, {@code [0, chunkSeconds)}
   * @param partial what to do with a last partial chunk
   * @param targetRate rate of the chunk files in Hz, {@code [1, 10^7]}
   */
  RecordingChunks(
      Path recordingsRoot,
      Path outputRoot,
      double chunkSeconds,
      double overlapSeconds,
      Chunker.Partial partial,
      int targetRate) {
    this.recordingsRoot = recordingsRoot.toAbsolutePath().normalize().toString();
    this.outputRoot = outputRoot.toAbsolutePath().normalize().toString();
    this.chunkSeconds = chunkSeconds;
    this.overlapSeconds = overlapSeconds;
    this.partial = Objects.requireNonNull(partial);
    this.targetRate = targetRate;
  }

  /** Recording id of a WAV file: its name without the extension, other than [A-Za-z0-9._-] as _. */
  static String recordingId(Path wav) {
    String name = wav.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return stem.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  Path manifest(String recordingId) {
    return Paths.get(outputRoot, "manifests", recordingId + ".csv");
  }

  Path status(String recordingId) {
    return Paths.get(outputRoot, "manifests", recordingId + ".chunk_status.json");
  }

  /** Chunks {@code recording}; never throws for a bad recording, reporting it as FAILED instead. */
  Result process(Path recording) {
    Path source = recording.toAbsolutePath().normalize();
    String id = recordingId(source);
    String started = Instant.now().toString();
    try {
      Path root = Paths.get(recordingsRoot).toRealPath();
      Path real = source.toRealPath();
      if (!real.startsWith(root)) {
        String reason =
            "refused "
                + source
                + ": it resolves to "
                + real
                + ", outside --recordings "
                + root
                + "; copy the file into the recordings directory";
        writeStatus(id, source, "failed", reason, started, null, 0, 0);
        return new Result(id, Outcome.FAILED, List.of(), reason);
      }
      Result skipped = skipIfDone(id);
      if (skipped != null) {
        return skipped;
      }
      writeStatus(id, source, "in_progress", null, started, null, 0, 0);
      List<ChunkManifest.Entry> entries;
      WavHeader h;
      try (SeekableByteChannel ch = Files.newByteChannel(real, StandardOpenOption.READ)) {
        h = WavReader.readHeader(ch, source.toString());
        entries = chunk(ch, source, id, h);
      }
      AtomicFiles.writeString(manifest(id), ChunkManifest.toCsv(entries));
      writeStatus(id, source, "completed", null, started, h, entries.size(), entries.size());
      return new Result(id, Outcome.COMPLETED, entries, null);
    } catch (IOException | RuntimeException e) {
      String reason = oneLine(e);
      try {
        writeStatus(id, source, "failed", reason, started, null, 0, 0);
      } catch (IOException statusError) {
        reason =
            reason + " (and the status file could not be written: " + oneLine(statusError) + ")";
      }
      return new Result(id, Outcome.FAILED, List.of(), reason);
    }
  }

  private List<ChunkManifest.Entry> chunk(
      SeekableByteChannel ch, Path source, String id, WavHeader h) throws IOException {
    int inRate = h.sampleRate();
    Chunker chunker =
        Chunker.defaults()
            .withChunkSeconds(chunkSeconds)
            .withOverlapSeconds(overlapSeconds)
            .withPartial(partial);
    List<Chunker.Chunk> plan = chunker.plan(id, h.frames(), inRate);
    Resampler rs = Resampler.of(inRate, targetRate);
    long g = gcd(inRate, targetRate);
    long down = inRate / g;
    long up = targetRate / g;
    // Context frames either side: the filter's reach, rounded so the context before a chunk is a
    // whole number of resampling periods (then the chunk starts exactly on an output sample).
    long margin = inRate == targetRate ? 0 : (long) Math.ceil(rs.halfWidthSeconds() * inRate) + 1;
    long marginPeriods = (margin + down - 1) / down;
    long overlapMs = Math.round(overlapSeconds * 1000);
    List<ChunkManifest.Entry> entries = new ArrayList<>();
    for (Chunker.Chunk c : plan) {
      long periods = Math.min(c.startFrame() / down, marginPeriods);
      long readStart = c.startFrame() - periods * down;
      long readEnd = Math.min(h.frames(), c.endFrame() + margin);
      Audio block = WavReader.read(ch, source.toString(), readStart, (int) (readEnd - readStart));
      float[][] y = rs.resample(block.toArray());
      int offset = (int) (periods * up);
      int real = rs.outputLength((int) (c.endFrame() - c.startFrame()));
      int full = rs.outputLength(c.lengthFrames());
      float[][] out = new float[y.length][];
      for (int k = 0; k < y.length; k++) {
        int end = Math.min(offset + real, y[k].length);
        out[k] = Arrays.copyOf(Arrays.copyOfRange(y[k], offset, end), full);
      }
      String rel = "chunks/" + id + "/" + c.id() + ".wav";
      Path file = Paths.get(outputRoot).resolve(rel);
      WavWriter.write(file, Audio.of(targetRate, out), WavEncoding.FLOAT_32);
      String notes = c.partial() ? "partial: zero-padded by " + (full - real) + " frames" : "";
      entries.add(
          new ChunkManifest.Entry(
              id,
              c.id(),
              source.toString(),
              c.startMs() / 1000.0,
              c.endMs() / 1000.0,
              targetRate,
              out.length,
              Digests.sha256(file),
              c.startMs(),
              c.endMs(),
              overlapMs,
              notes,
              rel,
              inRate,
              full,
              c.partial()));
    }
    return entries;
  }

  /**
   * The recording's manifest when its status says completed with the same settings and every chunk
   * file exists; otherwise null (the recording is chunked again).
   */
  private Result skipIfDone(String id) {
    Path status = status(id);
    Path manifest = manifest(id);
    if (!Files.isRegularFile(status) || !Files.isRegularFile(manifest)) {
      return null;
    }
    try {
      JsonNode s = new ObjectMapper().readTree(status.toFile());
      if (!"completed".equals(s.path("status").asText())
          || s.path("chunk_seconds").asDouble(-1) != chunkSeconds
          || s.path("overlap_seconds").asDouble(-1) != overlapSeconds
          || s.path("sample_rate").asInt(-1) != targetRate
          || !partial
              .name()
              .toLowerCase(java.util.Locale.ROOT)
              .equals(s.path("partial").asText())) {
        return null;
      }
      List<ChunkManifest.Entry> entries = ChunkManifest.read(manifest);
      if (entries.size() != s.path("chunks_written").asInt(-1)) {
        return null;
      }
      for (ChunkManifest.Entry e : entries) {
        if (!Files.isRegularFile(Paths.get(outputRoot).resolve(e.chunkPath()))) {
          return null;
        }
      }
      return new Result(id, Outcome.SKIPPED, entries, null);
    } catch (IOException e) {
      // An unreadable status or manifest is not trusted: chunk the recording again.
      return null;
    }
  }

  private void writeStatus(
      String id,
      Path source,
      String status,
      String reason,
      String started,
      WavHeader h,
      int expected,
      int written)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("recording_id", id);
    m.put("source_path", source.toString());
    m.put("status", status);
    if (reason != null) {
      m.put("reason", reason);
    }
    m.put("chunks_expected", expected);
    m.put("chunks_written", written);
    m.put("chunk_seconds", chunkSeconds);
    m.put("overlap_seconds", overlapSeconds);
    m.put("partial", partial.name().toLowerCase(java.util.Locale.ROOT));
    m.put("sample_rate", targetRate);
    if (h != null) {
      m.put("source_sample_rate", h.sampleRate());
      m.put("source_channels", h.channels());
      m.put("source_frames", h.frames());
      m.put("source_encoding", h.encoding().name());
    }
    m.put("manifest", "manifests/" + id + ".csv");
    m.put("started_at", started);
    m.put("updated_at", Instant.now().toString());
    AtomicFiles.writeString(
        status(id),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n");
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** The exception's message on one line (its class name when it has none). */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String text =
        m == null || m.isBlank()
            ? e.getClass().getSimpleName()
            : (e instanceof IOException && !(e instanceof io.beamline.io.audio.WavFormatException)
                    ? e.getClass().getSimpleName() + ": "
                    : "")
                + m;
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}

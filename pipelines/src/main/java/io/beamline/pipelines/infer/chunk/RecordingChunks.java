package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavHeader;
import io.beamline.io.audio.WavReader;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import io.beamline.io.json.Json;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.pipelines.infer.formats.Selections;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Chunks one recording and commits its outputs ({@link ItemCommits}, item = the recording id):
 * plain Java, no Beam, so the pipeline's DoFn is a thin wrapper and the work is testable on its
 * own.
 *
 * <p>Steps: refuse a path whose real location is outside the recordings directory (a symlink
 * pointing out of it); skip the recording when it is committed with the same settings and the same
 * source file; otherwise delete its commit record and mark it {@code in_progress} in {@code
 * manifests/<id>.chunk_status.json}; read the WAV header; plan chunks with {@link Chunker} at the
 * recording's own rate (so ids and milliseconds refer to the recording); for each chunk read its
 * frames plus enough context on both sides for the resampling filter, resample every channel to the
 * target rate with {@link Resampler}, cut the chunk, zero-pad a partial last chunk to the full
 * length, and write it as a 32-bit float WAV (no requantisation of the resampled values) into the
 * staged chunk directory; then stage {@code manifests/<id>.csv} ({@link ChunkManifest}) and the
 * status {@code completed}, and commit: the chunk directory replaces {@code chunks/<id>/} as a
 * whole (no chunk file of an earlier run with other settings survives), then the manifest, then the
 * status, then the commit record. Channels are kept (the model's pre-processing decides how to mix
 * them); the manifest records how many.
 *
 * <p>A recording that cannot be chunked (truncated, a header that promises more than the file
 * holds, not a WAV, unreadable) gets a failure record with a one-line reason, then the status
 * {@code failed} with the same reason; outputs committed earlier for it are left as they were.
 *
 * <p>A process killed at any instant leaves the recording either committed or not: at most
 * temporaries (removed by the next run in the output directory), and a status {@code in_progress}
 * or {@code completed} whose outputs are all in place. The next run chunks it again from the start,
 * so its chunks exist exactly once with the bytes of an uninterrupted run.
 *
 * <p>Context reads make a chunk's samples the same as those of resampling the whole recording and
 * cutting it (away from the recording's own ends), so chunk boundaries add no filter edge effects.
 */
final class RecordingChunks implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What happened to one recording. */
  enum Outcome {
    COMPLETED,
    SKIPPED,
    FAILED
  }

  /** The outcome, the number of chunks (0 when failed) and the one-line reason of a failure. */
  record Result(String recordingId, Outcome outcome, int chunks, String reason)
      implements Serializable {}

  /** Commit-record details that must match for a committed recording to be skipped. */
  static final List<String> SETTINGS =
      List.of(
          "chunk_seconds",
          "overlap_seconds",
          "target_rate",
          "partial",
          "source_path",
          "source_size",
          "source_modified_ms");

  private final String recordingsRoot;
  private final String outputRoot;
  private final ItemCommits commits;
  private final String runId;
  private final double chunkSeconds;
  private final double overlapSeconds;
  private final Chunker.Partial partial;
  private final int targetRate;

  /**
   * @param recordingsRoot the recordings directory; inputs must really lie inside it
   * @param outputRoot the output directory; {@code chunks/}, {@code manifests/} and the commit
   *     records go under it
   * @param commits the commit records of the recordings (with the run's item config)
   * @param runId the run that commits
   * @param chunkSeconds chunk length in seconds, {@code > 0}
   * @param overlapSeconds overlap in seconds, {@code [0, chunkSeconds)}
   * @param partial what to do with a last partial chunk
   * @param targetRate rate of the chunk files in Hz, {@code [1, 10^7]}
   */
  RecordingChunks(
      Path recordingsRoot,
      Path outputRoot,
      ItemCommits commits,
      String runId,
      double chunkSeconds,
      double overlapSeconds,
      Chunker.Partial partial,
      int targetRate) {
    this.recordingsRoot = recordingsRoot.toAbsolutePath().normalize().toString();
    this.outputRoot = outputRoot.toAbsolutePath().normalize().toString();
    this.commits = commits;
    this.runId = Objects.requireNonNull(runId);
    this.chunkSeconds = chunkSeconds;
    this.overlapSeconds = overlapSeconds;
    this.partial = Objects.requireNonNull(partial);
    this.targetRate = targetRate;
  }

  /** Recording id of a WAV file: its name without the extension, other than [A-Za-z0-9._-] as _. */
  static String recordingId(Path wav) {
    return Selections.recordingOfAudio(wav.getFileName().toString());
  }

  /** The commit records of the recordings. */
  ItemCommits commits() {
    return commits;
  }

  Path chunkDir(String recordingId) {
    return Paths.get(outputRoot, "chunks", recordingId);
  }

  Path manifest(String recordingId) {
    return Paths.get(outputRoot, "manifests", recordingId + ".csv");
  }

  Path status(String recordingId) {
    return Paths.get(outputRoot, "manifests", recordingId + ".chunk_status.json");
  }

  /**
   * Chunks {@code recording} and commits it, or records its failure (also when its outputs cannot
   * be put in place); never throws for a bad recording. Throws {@link IOException} only when its
   * failure record cannot be written (the output directory is unusable), which fails the run.
   */
  Result process(Path recording) throws IOException {
    Path source = recording.toAbsolutePath().normalize();
    String id = recordingId(source);
    String started = Instant.now().toString();
    Map<String, Object> settings = settings(source);
    ItemCommit item = commits.begin(id);
    settings.forEach(item::detail);
    int chunks;
    try {
      Path root = Paths.get(recordingsRoot).toRealPath();
      Path real = source.toRealPath();
      if (!real.startsWith(root)) {
        return fail(
            item,
            id,
            source,
            started,
            "refused "
                + source
                + ": it resolves to "
                + real
                + ", outside --recordings "
                + root
                + "; copy the file into the recordings directory");
      }
      Optional<CommitRecord> done = commits.committed(id);
      if (done.isPresent() && sameSettings(done.get(), settings)) {
        item.abandon();
        return new Result(id, Outcome.SKIPPED, chunkCount(done.get()), null);
      }
      // Nothing may vouch for this recording's outputs while they change; the status says so.
      Files.deleteIfExists(commits.recordFile(id));
      AtomicFiles.writeString(
          status(id), statusJson(id, source, "in_progress", null, started, null, 0, 0));
      Path chunkDir = item.stageDirectory(chunkDir(id));
      List<ChunkManifest.Entry> entries;
      WavHeader h;
      try (SeekableByteChannel ch = Files.newByteChannel(real, StandardOpenOption.READ)) {
        h = WavReader.readHeader(ch, source.toString());
        entries = chunk(ch, source, id, h, chunkDir);
      }
      chunks = entries.size();
      Files.writeString(item.stage(manifest(id)), ChunkManifest.toCsv(entries));
      Files.writeString(
          item.stage(status(id)),
          statusJson(id, source, "completed", null, started, h, chunks, chunks));
    } catch (IOException | RuntimeException e) {
      return fail(item, id, source, started, oneLine(e));
    }
    try {
      item.detail("chunks", chunks).commit(runId);
    } catch (IOException e) {
      // Its outputs could not be put in place (a file where its chunk directory goes): this
      // recording fails, with the path and the fix; what other recordings committed stays.
      return fail(
          item, id, source, started, "cannot put " + id + "'s outputs in place: " + oneLine(e));
    }
    return new Result(id, Outcome.COMPLETED, chunks, null);
  }

  /** Records the failure (discarding what was staged), then the status {@code failed}. */
  private Result fail(ItemCommit item, String id, Path source, String started, String reason)
      throws IOException {
    item.fail(runId, reason);
    try {
      AtomicFiles.writeString(
          status(id), statusJson(id, source, "failed", reason, started, null, 0, 0));
    } catch (IOException statusError) {
      // The failure record is what counts; the status file is its copy for the seed's readers.
      reason = reason + " (and the status file could not be written: " + oneLine(statusError) + ")";
    }
    return new Result(id, Outcome.FAILED, 0, reason);
  }

  /** The settings and source identity a committed recording must match to be skipped. */
  private Map<String, Object> settings(Path source) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("chunk_seconds", chunkSeconds);
    m.put("overlap_seconds", overlapSeconds);
    m.put("target_rate", targetRate);
    m.put("partial", partial.name().toLowerCase(Locale.ROOT));
    m.put("source_path", source.toString());
    long size = -1;
    long modified = -1;
    try {
      size = Files.size(source);
      modified = Files.getLastModifiedTime(source).toMillis();
    } catch (IOException e) {
      // Reading the file fails the recording below, with the reader's message.
    }
    m.put("source_size", size);
    m.put("source_modified_ms", modified);
    m.put(ItemCommits.INPUT_DIGEST, inputDigest(size, modified));
    return m;
  }

  /**
   * The input digest of recording {@code wav} ({@link ItemCommits#INPUT_DIGEST}): its size and
   * modification time, which the skip check above compares (hashing a long recording would cost
   * what chunking it costs).
   */
  static String inputDigest(Path wav) {
    try {
      return inputDigest(Files.size(wav), Files.getLastModifiedTime(wav).toMillis());
    } catch (IOException e) {
      return inputDigest(-1, -1);
    }
  }

  private static String inputDigest(long size, long modifiedMs) {
    return "file:" + size + ":" + modifiedMs;
  }

  private static boolean sameSettings(CommitRecord r, Map<String, Object> settings) {
    for (String k : SETTINGS) {
      Object a = r.details().get(k);
      Object b = settings.get(k);
      boolean same =
          a instanceof Number x && b instanceof Number y
              ? x.doubleValue() == y.doubleValue()
              : Objects.equals(a, b);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  private static int chunkCount(CommitRecord r) {
    return r.details().get("chunks") instanceof Number n ? n.intValue() : 0;
  }

  private List<ChunkManifest.Entry> chunk(
      SeekableByteChannel ch, Path source, String id, WavHeader h, Path chunkDir)
      throws IOException {
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
      Path file = chunkDir.resolve(c.id() + ".wav");
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

  /** The text of a {@code chunk_status.json}: the seed's status plus counts and settings. */
  private String statusJson(
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
    m.put("run_id", runId);
    if (reason != null) {
      m.put("reason", reason);
    }
    m.put("chunks_expected", expected);
    m.put("chunks_written", written);
    m.put("chunk_seconds", chunkSeconds);
    m.put("overlap_seconds", overlapSeconds);
    m.put("partial", partial.name().toLowerCase(Locale.ROOT));
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
    return Json.PRETTY.writeValueAsString(m) + "\n";
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

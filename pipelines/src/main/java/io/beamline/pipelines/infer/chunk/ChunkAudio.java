package io.beamline.pipelines.infer.chunk;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavReader;
import io.beamline.io.files.Digests;
import io.beamline.pipelines.infer.run.ChunkTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds, checks and reads the audio of one chunk. Every problem is a {@link BadChunk} with a
 * one-line reason naming the chunk and the fix; such a chunk fails at once (retrying cannot help).
 */
public final class ChunkAudio {
  private ChunkAudio() {}

  /** A chunk whose audio cannot be used: escaping or missing path, checksum mismatch, bad WAV. */
  public static final class BadChunk extends Exception {
    BadChunk(String message) {
      super(message);
    }
  }

  /** The chunk's audio file, resolved against its dataset root and kept inside it. */
  public static Path resolve(ChunkTask t) throws BadChunk {
    Path root = Paths.get(t.root());
    Path p;
    try {
      p = root.resolve(t.audioPath()).normalize();
    } catch (RuntimeException e) {
      throw new BadChunk("chunk path '" + t.audioPath() + "' is not a valid path");
    }
    if (!p.startsWith(root)) {
      throw new BadChunk(
          "chunk path "
              + t.audioPath()
              + " escapes the dataset root "
              + root
              + "; manifests may only name files under it");
    }
    if (!Files.isRegularFile(p)) {
      throw new BadChunk(
          "chunk file " + p + " not found; re-run infer chunk or fix the manifest's path");
    }
    try {
      Path real = p.toRealPath();
      if (!real.startsWith(root.toRealPath())) {
        throw new BadChunk(
            "chunk path "
                + t.audioPath()
                + " resolves (through a link) to "
                + real
                + ", outside the dataset root "
                + root);
      }
    } catch (IOException e) {
      throw new BadChunk("cannot resolve chunk file " + p + ": " + e.getMessage());
    }
    return p;
  }

  /**
   * The chunk's audio, all channels: the file's SHA-256 is checked against the manifest's when the
   * manifest gives one.
   */
  public static Audio read(ChunkTask t) throws BadChunk {
    Path p = resolve(t);
    try {
      if (!t.sha256().isEmpty()) {
        String actual = Digests.sha256(p);
        if (!actual.equalsIgnoreCase(t.sha256())) {
          throw new BadChunk(
              "chunk file "
                  + p
                  + " has SHA-256 "
                  + actual
                  + ", the manifest says "
                  + t.sha256()
                  + "; the file changed since chunking, re-run infer chunk");
        }
      }
      return WavReader.read(p);
    } catch (IOException | RuntimeException e) {
      throw new BadChunk(
          "chunk file "
              + p
              + " is not readable audio: "
              + String.valueOf(e.getMessage()).replaceAll("\\s+", " ")
              + "; re-run infer chunk for this recording");
    }
  }

  /** The channels averaged into one. */
  public static float[] mono(Audio a) {
    int n = a.frames();
    float[] out = new float[n];
    if (a.channels() == 1) {
      return a.channel(0);
    }
    for (int c = 0; c < a.channels(); c++) {
      for (int i = 0; i < n; i++) {
        out[i] += a.sample(c, i);
      }
    }
    float k = 1f / a.channels();
    for (int i = 0; i < n; i++) {
      out[i] *= k;
    }
    return out;
  }

  /**
   * The model's input: mono at {@code rate} Hz, exactly {@code samples} long (a shorter chunk is
   * zero-padded at the end, a longer one or another rate is refused).
   */
  public static float[] forModel(ChunkTask t, Audio a, int rate, int samples) throws BadChunk {
    if (a.sampleRate() != rate) {
      throw new BadChunk(
          "chunk "
              + t.chunkId()
              + " is at "
              + a.sampleRate()
              + " Hz, the model needs "
              + rate
              + " Hz; re-chunk with infer chunk --target-rate "
              + rate);
    }
    if (a.frames() > samples) {
      throw new BadChunk(
          "chunk "
              + t.chunkId()
              + " has "
              + a.frames()
              + " frames, the model takes at most "
              + samples
              + "; re-chunk with infer chunk --chunk-seconds "
              + ((double) samples / rate));
    }
    float[] m = mono(a);
    if (m.length == samples) {
      return m;
    }
    float[] padded = new float[samples];
    System.arraycopy(m, 0, padded, 0, m.length);
    return padded;
  }
}

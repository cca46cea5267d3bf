package io.beamline.models.birdcall;

import io.beamline.io.files.AtomicFiles;
import io.beamline.models.inference.ModelSpec;
import io.beamline.transforms.audio.BirdCallSynth;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The saved detector: what a model directory holds and how to load it.
 *
 * <p>A model directory holds {@code birdcall-0000.params} (DJL parameters of {@link BirdCallNet})
 * and {@code birdcall.properties} (labels, sample rate, segment length, spectrogram and pooling
 * settings, model version, training seed and sizes). It loads through the same {@link ModelSpec} /
 * {@code Criteria} path as any user model:
 *
 * <pre>{@code
 * try (InferenceWorker<float[], float[]> w =
 *     InferenceWorker.open(BirdCallModel.spec(dir), "detect", -1, 1, 0)) {
 *   List<float[]> scores = w.predict(segments);
 * }
 * }</pre>
 *
 * <p>Output choice: a softmax over {@link #LABELS} (one label per segment, {@code noise} when there
 * is no call), because the training segments from {@link BirdCallSynth#segment} hold at most one
 * call. Overlapping calls of different types would need a multi-label (sigmoid) head.
 */
public final class BirdCallModel {
  /** Params prefix in the model directory. */
  public static final String NAME = "birdcall";

  /** Version of the architecture and feature pipeline; bump when either changes. */
  public static final String VERSION = "birdcall-cnn-1";

  /** Output labels, in score order. */
  public static final List<String> LABELS =
      List.of(BirdCallSynth.NOISE, BirdCallSynth.CHIRP, BirdCallSynth.TRILL, BirdCallSynth.WHISTLE);

  /** The description file in a model directory. */
  public static final String PROPERTIES = NAME + ".properties";

  /** Class-path folder of the bundled default model (see {@link #bundled()}). */
  public static final String BUNDLED_RESOURCE = "/io/beamline/models/birdcall/default/";

  private static final List<String> FILES = List.of(NAME + "-0000.params", PROPERTIES);

  private BirdCallModel() {}

  /**
   * The default detector shipped in this jar (trained by {@code beamline infer train} with its
   * default flags; its {@value #PROPERTIES} records the settings and held-out scores), as a model
   * directory that {@link #spec(Path)} loads. Extracted once into {@code
   * <java.io.tmpdir>/beamline-models/}; see {@link #bundled(Path)}.
   *
   * @throws IOException if the resources are missing or the cache cannot be written
   */
  public static Path bundled() throws IOException {
    return bundled(Paths.get(System.getProperty("java.io.tmpdir"), "beamline-models"));
  }

  /**
   * The bundled default detector extracted under {@code cacheRoot}, in a directory named after a
   * digest of its files ({@code birdcall-default-<digest>}), so different builds never share one.
   * The directory is written under a temporary name and renamed, so concurrent callers (threads or
   * JVMs) see it complete or not at all; an existing one is reused after its bytes are checked.
   *
   * @throws IOException if the resources are missing, the cache cannot be written, or an existing
   *     directory differs from the resources (naming it: delete it)
   */
  public static synchronized Path bundled(Path cacheRoot) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
    for (String f : FILES) {
      try (InputStream in = BirdCallModel.class.getResourceAsStream(BUNDLED_RESOURCE + f)) {
        if (in == null) {
          throw new IOException(
              "resource "
                  + BUNDLED_RESOURCE
                  + f
                  + " is missing from the class path; rebuild beamline-models");
        }
        byte[] b = in.readAllBytes();
        files.put(f, b);
        sha.update(f.getBytes(StandardCharsets.UTF_8));
        sha.update(b);
      }
    }
    String digest = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    Path dir = cacheRoot.toAbsolutePath().normalize().resolve("birdcall-default-" + digest);
    if (Files.isDirectory(dir)) {
      checkSame(dir, files);
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".tmp-");
    try {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Files.write(tmp.resolve(e.getKey()), e.getValue());
      }
      if (!AtomicFiles.publishDirectory(tmp, dir)) {
        // Another JVM extracted it first: use theirs once checked.
        checkSame(dir, files);
      }
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
    return dir;
  }

  private static void checkSame(Path dir, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path f = dir.resolve(e.getKey());
      if (!Files.isRegularFile(f) || !Arrays.equals(Files.readAllBytes(f), e.getValue())) {
        throw new IOException(
            "cached model directory "
                + dir
                + " differs from the bundled model ("
                + e.getKey()
                + "); delete the directory and retry");
      }
    }
  }

  /** {@link #spec(Path)} of {@link #bundled()}. */
  public static ModelSpec<float[], float[]> bundledSpec() throws IOException {
    return spec(bundled());
  }

  /** The spec of the model in {@code dir}: {@link BirdCallNet} + {@link BirdCallTranslator}. */
  public static ModelSpec<float[], float[]> spec(Path dir) {
    return ModelSpec.of(dir.toString(), float[].class, float[].class, BirdCallTranslator::new)
        .withModelName(NAME)
        .withBlockFactory(new BirdCallNet());
  }

  /** The description written next to the params. */
  static Properties describe(long seed, int examplesPerClass, int epochs, double finalLoss) {
    Properties p = new Properties();
    p.setProperty("model.name", NAME);
    p.setProperty("model.version", VERSION);
    p.setProperty("labels", String.join(",", LABELS));
    p.setProperty("output", "softmax");
    p.setProperty("sample_rate", Integer.toString(BirdCallFeatures.SAMPLE_RATE));
    p.setProperty("segment_seconds", "3.0");
    p.setProperty("spectrogram", "log-mel, hawkEarsLike settings at quarter resolution");
    p.setProperty("spectrogram.bands", Integer.toString(BirdCallFeatures.BANDS));
    p.setProperty("spectrogram.frames", Integer.toString(BirdCallFeatures.FRAMES));
    p.setProperty("spectrogram.mel_scale", "HTK");
    p.setProperty("spectrogram.power", "2 (dB, floor 1e-10)");
    p.setProperty("spectrogram.fmin_hz", "200");
    p.setProperty("spectrogram.fmax_hz", "13000");
    p.setProperty("spectrogram.fft_size", "2048");
    p.setProperty("spectrogram.window", "1624");
    p.setProperty("spectrogram.hop", Integer.toString(BirdCallFeatures.HOP));
    p.setProperty("features.shape", "1x" + BirdCallFeatures.BANDS + "x" + BirdCallFeatures.FRAMES);
    p.setProperty("features.normalisation", "per-band mean removed, divided by clip std");
    p.setProperty("train.seed", Long.toString(seed));
    p.setProperty("train.examples_per_class", Integer.toString(examplesPerClass));
    p.setProperty("train.epochs", Integer.toString(epochs));
    p.setProperty("train.final_loss", Double.toString(finalLoss));
    return p;
  }

  /** Properties as text with sorted keys, so the same training writes the same bytes. */
  static String toText(Properties p) {
    StringWriter w = new StringWriter();
    w.write("# Beamline bird-call detector\n");
    p.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> w.write(k + "=" + p.getProperty(k).replace("\\", "\\\\") + "\n"));
    return w.toString();
  }

  /**
   * Reads {@code dir/birdcall.properties} and checks it describes this version.
   *
   * @throws IOException naming the file and the fix when it is missing or of another version
   */
  public static Properties readDescription(Path dir) throws IOException {
    Path f = dir.resolve(PROPERTIES);
    if (!Files.isRegularFile(f)) {
      throw new IOException(
          f + " not found; train a model with BirdCallTrainer.train(...) into " + dir);
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    if (!VERSION.equals(p.getProperty("model.version"))
        || !String.join(",", LABELS).equals(p.getProperty("labels"))) {
      throw new IOException(
          f
              + " describes model.version="
              + p.getProperty("model.version")
              + " labels="
              + p.getProperty("labels")
              + ", this code runs "
              + VERSION
              + "; retrain the model with this version");
    }
    return p;
  }
}

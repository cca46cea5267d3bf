package io.beamline.pipelines.infer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.files.Digests;
import io.beamline.models.birdcall.BirdCallTrainer;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.transforms.audio.BirdCallSynth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Chunk datasets, a small trained model and a run helper for the {@code infer run} tests. */
final class InferRunTestData {
  private InferRunTestData() {}

  static final List<String> KINDS =
      List.of(BirdCallSynth.NOISE, BirdCallSynth.CHIRP, BirdCallSynth.TRILL, BirdCallSynth.WHISTLE);

  private static Path model;

  /**
   * A bird-call model trained once per JVM (small: seconds on a CPU), under {@code java.io.tmpdir}.
   */
  static synchronized Path model() throws IOException {
    if (model == null) {
      Path dir = Files.createTempDirectory("infer-run-model").resolve("birdcall");
      BirdCallTrainer.train(5L, 6, 3, dir);
      model = dir;
    }
    return model;
  }

  /**
   * Writes {@code recordings} recordings of {@code chunks} chunks each under {@code root}, in the
   * {@code infer chunk} layout: {@code chunks/<rec>/<chunk>.wav} and {@code manifests/<rec>.csv}.
   * Chunk audio is a synthetic call (or noise) of {@code seconds} at {@code rate} Hz.
   *
   * @return the manifest files, sorted
   */
  static List<Path> dataset(
      Path root, long seed, int recordings, int chunks, double seconds, int rate)
      throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Path> manifests = new ArrayList<>();
    for (int r = 0; r < recordings; r++) {
      String rec = "rec" + seed + "_" + r;
      List<ChunkManifest.Entry> entries = new ArrayList<>();
      for (int c = 0; c < chunks; c++) {
        long startMs = Math.round(c * seconds * 1000);
        long endMs = Math.round((c + 1) * seconds * 1000);
        String chunkId = rec + "_" + startMs + "_" + endMs;
        String rel = "chunks/" + rec + "/" + chunkId + ".wav";
        String kind = KINDS.get(rnd.nextInt(KINDS.size()));
        float[] x = BirdCallSynth.segment(kind, seconds, rate, rnd.nextLong()).samples();
        Path wav = root.resolve(rel);
        WavWriter.write(wav, Audio.of(rate, new float[][] {x}), WavEncoding.FLOAT_32);
        entries.add(
            new ChunkManifest.Entry(
                rec,
                chunkId,
                root.resolve("recordings/" + rec + ".wav").toString(),
                startMs / 1000.0,
                endMs / 1000.0,
                rate,
                1,
                Digests.sha256(wav),
                startMs,
                endMs,
                0,
                "",
                rel,
                rate,
                x.length,
                false));
      }
      Path m = root.resolve("manifests/" + rec + ".csv");
      Files.createDirectories(m.getParent());
      Files.writeString(m, ChunkManifest.toCsv(entries));
      manifests.add(m);
    }
    return manifests;
  }

  static InferRunOptions options(Path manifest, Path out, String... extra) {
    List<String> a = new ArrayList<>();
    a.add("--manifest=" + manifest);
    a.add("--outputDir=" + out);
    a.addAll(List.of(extra));
    if (!String.join(" ", extra).contains("--backoffBaseS=")) {
      a.add("--backoffBaseS=0");
    }
    return PipelineOptionsFactory.fromArgs(a.toArray(new String[0])).as(InferRunOptions.class);
  }

  /** A run's record and what it printed on stdout. */
  record Ran(RunRecord record, String stdout) {}

  /** Runs {@code infer run} through {@link Runs} (validate, beforeRun, afterRun, run record). */
  static Ran run(Path manifest, Path out, String... extra) {
    InferRunOptions o = options(manifest, out, extra);
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    RunRecord r;
    synchronized (InferRunTestData.class) {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      try {
        r = Runs.run(new InferRunPipeline(), o, List.of("infer", "run"));
      } finally {
        System.setOut(old);
      }
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    old.print(printed);
    return new Ran(r, printed);
  }

  static JsonNode json(Path f) throws IOException {
    return new ObjectMapper().readTree(f.toFile());
  }

  /** The telemetry lines of {@code stem}, parsed. */
  static List<JsonNode> telemetry(Path out, String stem) throws IOException {
    List<JsonNode> out2 = new ArrayList<>();
    Path f = out.resolve("telemetry/" + stem + ".jsonl");
    if (!Files.exists(f)) {
      return out2;
    }
    ObjectMapper m = new ObjectMapper();
    for (String l : Files.readAllLines(f)) {
      out2.add(m.readTree(l));
    }
    return out2;
  }

  static String stem(Path manifest) {
    return ChunkManifest.stem(manifest);
  }
}

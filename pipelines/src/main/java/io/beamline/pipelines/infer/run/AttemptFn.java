package io.beamline.pipelines.infer.run;

import ai.djl.translate.TranslateException;
import io.beamline.io.audio.Audio;
import io.beamline.models.birdcall.BirdCallBatchTranslator;
import io.beamline.models.birdcall.BirdCallFeatures;
import io.beamline.models.birdcall.EnergyDetector;
import io.beamline.models.inference.InferenceWorker;
import io.beamline.pipelines.infer.chunk.ChunkAudio;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * The attempt loop of {@link AttemptStage}: attempts a batch's chunks until each has ended,
 * retrying the failed ones after their backoff.
 *
 * <p>For the model the input always has {@code batchSize} rows and each chunk sits at the row of
 * its manifest position ({@code order % batchSize}), other rows silent: one fixed shape (what a GPU
 * wants), and a chunk's scores do not depend on which neighbours share its batch, so a resumed or
 * retried chunk gets the scores of an uninterrupted run to the last bit. The stub scores each chunk
 * on its own and gets only the chunks.
 */
final class AttemptFn extends DoFn<ChunkBatch, ChunkEnded> {
  /** Worker label of attempts that failed before reaching a worker (unreadable chunks). */
  static final String LOADER = "loader";

  /** Worker label of the energy detector. */
  static final String STUB_WORKER = "cpu-0";

  private final AttemptStage.Config s;
  private final String id;
  private final Counter badChunks = Metrics.counter(InferRunPipeline.class, "bad_chunks");
  private final Counter succeeded = Metrics.counter(InferRunPipeline.class, "chunks_succeeded");
  private final Counter failedForGood = Metrics.counter(InferRunPipeline.class, "chunks_failed");
  private final Counter retried = Metrics.counter(InferRunPipeline.class, "attempts_retried");

  private transient InferenceWorker<float[][], float[]> worker;
  private transient ChunkOutcomes outcomes;

  AttemptFn(AttemptStage.Config s, String id) {
    this.s = s;
    this.id = id;
  }

  @Setup
  public void setup() throws IOException {
    outcomes = new ChunkOutcomes(s);
    DetectorConfig d = s.detector();
    if (!d.stub()) {
      worker =
          InferenceWorker.open(
              BirdCallBatchTranslator.spec(d.modelPath()),
              id,
              d.workers().maxGpus(),
              d.workers().workersPerGpu(),
              d.workers().cpuWorkers());
    }
  }

  @Teardown
  public void teardown() {
    if (worker != null) {
      worker.close();
      worker = null;
    }
  }

  @ProcessElement
  public void process(@Element ChunkBatch batch, OutputReceiver<ChunkEnded> out)
      throws InterruptedException {
    List<ChunkTask> pending = batch.tasks();
    while (!pending.isEmpty()) {
      double backoff = pending.get(0).backoffS();
      if (backoff > 0) {
        Thread.sleep((long) (backoff * 1000));
      }
      pending = attempt(pending, out);
    }
  }

  /** One attempt of {@code tasks} (all at the same attempt); returns the tasks of the retry. */
  private List<ChunkTask> attempt(List<ChunkTask> tasks, OutputReceiver<ChunkEnded> out) {
    Instant start = Instant.now();
    List<ChunkTask> good = new ArrayList<>();
    List<Integer> rates = new ArrayList<>();
    List<float[]> audio = new ArrayList<>();
    for (ChunkTask t : tasks) {
      try {
        Audio a = ChunkAudio.read(t);
        audio.add(
            s.detector().stub()
                ? ChunkAudio.mono(a)
                : ChunkAudio.forModel(
                    t, a, BirdCallFeatures.SAMPLE_RATE, BirdCallFeatures.SAMPLES));
        good.add(t);
        rates.add(a.sampleRate());
      } catch (ChunkAudio.BadChunk e) {
        badChunks.inc();
        outcomes.failed(t, start, LOADER, e.getMessage());
        out.output(new ChunkEnded(t.stem(), t.chunkId()));
      }
    }
    List<ChunkTask> retries = new ArrayList<>();
    if (good.isEmpty()) {
      return retries;
    }
    int[] slots = new int[good.size()];
    String workerLabel =
        s.detector().stub() ? STUB_WORKER + InferenceWorker.executor() : worker.label();
    float[] scores = null;
    String batchError = null;
    try {
      scores = score(good, audio, rates, slots);
    } catch (TranslateException | RuntimeException e) {
      batchError = worker == null ? workerLabel + ": " + e : worker.describe(e);
    }
    int l = s.detector().labels().size();
    int rows = s.detector().stub() ? good.size() : s.batchSize();
    List<ChunkOutcomes.Scored> scored = new ArrayList<>();
    for (int i = 0; i < good.size(); i++) {
      ChunkTask t = good.get(i);
      String error = batchError;
      if (error == null && scores.length != rows * l) {
        error =
            workerLabel
                + ": model returned "
                + scores.length
                + " scores for "
                + rows
                + " rows x "
                + l
                + " labels";
      } else if (error == null && s.retry().injected(t)) {
        error =
            "injected failure on "
                + workerLabel
                + " (--inject-failure-rate "
                + s.retry().injectFailureRate()
                + ", --seed "
                + s.retry().seed()
                + ")";
      }
      if (error == null) {
        scored.add(
            new ChunkOutcomes.Scored(
                t, Arrays.copyOfRange(scores, slots[i] * l, (slots[i] + 1) * l)));
      } else if (t.attempt() < s.retry().maxAttempts()) {
        retried.inc();
        outcomes.telemetry(t, start, workerLabel, TelemetryLog.RETRYING, error);
        retries.add(t.retry(s.retry().backoffBefore(t.attempt() + 1), workerLabel, error));
      } else {
        failedForGood.inc();
        outcomes.failed(t, start, workerLabel, error);
        out.output(new ChunkEnded(t.stem(), t.chunkId()));
      }
    }
    if (!scored.isEmpty()) {
      outcomes.succeeded(scored, start, workerLabel);
      for (ChunkOutcomes.Scored c : scored) {
        succeeded.inc();
        out.output(new ChunkEnded(c.task().stem(), c.task().chunkId()));
      }
    }
    return retries;
  }

  /**
   * Scores the good chunks of a batch; {@code slots[i]} is set to the row of chunk {@code i}.
   * Returns the scores, row-major, {@code labels} per row.
   */
  private float[] score(List<ChunkTask> good, List<float[]> audio, List<Integer> rates, int[] slots)
      throws TranslateException {
    int l = s.detector().labels().size();
    if (s.detector().stub()) {
      float[] all = new float[good.size() * l];
      for (int i = 0; i < good.size(); i++) {
        slots[i] = i;
        System.arraycopy(EnergyDetector.scores(audio.get(i), rates.get(i)), 0, all, i * l, l);
      }
      return all;
    }
    float[][] rows = new float[s.batchSize()][];
    for (int i = 0; i < good.size(); i++) {
      slots[i] = good.get(i).order() % s.batchSize();
      rows[slots[i]] = audio.get(i);
    }
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null) {
        rows[r] = new float[BirdCallFeatures.SAMPLES];
      }
    }
    return worker.predict(Collections.singletonList(rows)).get(0);
  }
}

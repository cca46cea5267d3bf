package io.beamline.pipelines.infer.chunk;

import static io.beamline.pipelines.infer.chunk.InferChunkTestData.GOOD;
import static io.beamline.pipelines.infer.chunk.InferChunkTestData.files;
import static io.beamline.pipelines.infer.chunk.InferChunkTestData.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavHeader;
import io.beamline.io.audio.WavReader;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.files.Digests;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.transforms.audio.Resampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class InferChunkPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static final List<String> STARTS_ENDS =
      List.of("0_1000", "750_1750", "1500_2500", "2250_2600");

  private static final Map<String, int[]> RATE_CHANNELS =
      Map.of(
          "dawn_44k_stereo", new int[] {44_100, 2},
          "birds_16k_24bit", new int[] {16_000, 1},
          "night_48k_float", new int[] {48_000, 1});

  private static PipelineResult run(InferChunkPipeline.InferChunkOptions o) {
    InferChunkPipeline def = new InferChunkPipeline();
    def.validate(o);
    Pipeline pipeline = Pipeline.create(o);
    def.build(pipeline, o);
    PipelineResult r = pipeline.run();
    r.waitUntilFinish();
    return r;
  }

  private static long counter(PipelineResult r, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        r.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(InferChunkPipeline.class, name))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static JsonNode json(Path f) throws Exception {
    return new ObjectMapper().readTree(f.toFile());
  }

  @Test
  public void recordingsBecomeChunksManifestsAndStatus() throws Exception {
    Path rec = tmp.newFolder("recordings").toPath();
    Path outside = tmp.newFolder("elsewhere").toPath();
    InferChunkTestData.write(rec);
    // A symlink inside --recordings to a valid WAV outside it must be refused.
    Files.copy(rec.resolve("birds_16k_24bit.wav"), outside.resolve("stray.wav"));
    Files.createSymbolicLink(rec.resolve("escape.wav"), outside.resolve("stray.wav"));
    Path out = tmp.getRoot().toPath().resolve("out");

    InferChunkPipeline.InferChunkOptions o =
        p.getOptions().as(InferChunkPipeline.InferChunkOptions.class);
    InferChunkPipeline.InferChunkOptions given = options(rec, out);
    o.setRecordings(given.getRecordings());
    o.setOutputDir(given.getOutputDir());
    o.setChunkSeconds(given.getChunkSeconds());
    o.setOverlapSeconds(given.getOverlapSeconds());
    new InferChunkPipeline().validate(o);
    new InferChunkPipeline().build(p, o);
    PipelineResult first = p.run();
    first.waitUntilFinish();
    assertEquals(3, counter(first, "recordings_completed"));
    assertEquals(3, counter(first, "recordings_failed"));
    assertEquals(12, counter(first, "chunks_written"));

    // Chunk files: 28 kHz, 1 s = 28000 frames, the recording's channels, float.
    List<String> expectedFiles = new ArrayList<>();
    for (String id : GOOD) {
      for (String se : STARTS_ENDS) {
        expectedFiles.add(id + "/" + id + "_" + se + ".wav");
      }
    }
    java.util.Collections.sort(expectedFiles);
    assertEquals(expectedFiles, files(out.resolve("chunks")));
    for (String id : GOOD) {
      for (String se : STARTS_ENDS) {
        WavHeader h =
            WavReader.readHeader(out.resolve("chunks/" + id + "/" + id + "_" + se + ".wav"));
        assertEquals(28_000, h.sampleRate());
        assertEquals(28_000, h.frames());
        assertEquals(RATE_CHANNELS.get(id)[1], h.channels());
        assertEquals(WavEncoding.FLOAT_32, h.encoding());
      }
    }

    // Manifests: header, ids, times, sha256 of the chunk files.
    for (String id : GOOD) {
      List<String> lines = Files.readAllLines(out.resolve("manifests/" + id + ".csv"));
      assertEquals(
          "recording_id,chunk_id,source_path,start_s,end_s,sample_rate,channels,sha256,"
              + "start_ms,end_ms,overlap_ms,notes,chunk_path,source_sample_rate,frames,partial",
          lines.get(0));
      List<ChunkManifest.Entry> entries =
          ChunkManifest.read(out.resolve("manifests/" + id + ".csv"));
      assertEquals(4, entries.size());
      long[][] ms = {{0, 1000}, {750, 1750}, {1500, 2500}, {2250, 2600}};
      for (int i = 0; i < 4; i++) {
        ChunkManifest.Entry e = entries.get(i);
        assertEquals(id, e.recordingId());
        assertEquals(id + "_" + STARTS_ENDS.get(i), e.chunkId());
        assertEquals(ms[i][0], e.startMs());
        assertEquals(ms[i][1], e.endMs());
        assertEquals(ms[i][0] / 1000.0, e.startS(), 0);
        assertEquals(ms[i][1] / 1000.0, e.endS(), 0);
        assertEquals(250, e.overlapMs());
        assertEquals(28_000, e.sampleRate());
        assertEquals(RATE_CHANNELS.get(id)[0], e.sourceSampleRate());
        assertEquals(RATE_CHANNELS.get(id)[1], e.channels());
        assertEquals(i == 3, e.partial());
        assertEquals(i == 3 ? "partial: zero-padded by 18200 frames" : "", e.notes());
        assertEquals("chunks/" + id + "/" + e.chunkId() + ".wav", e.chunkPath());
        assertThat(e.sourcePath(), startsWith(rec.toString()));
        assertEquals(Digests.sha256(out.resolve(e.chunkPath())), e.sha256());
      }
      assertThat(lines.get(2), containsString(",0.750,1.750,28000,"));
      JsonNode s = json(out.resolve("manifests/" + id + ".chunk_status.json"));
      assertEquals("completed", s.get("status").asText());
      assertEquals(4, s.get("chunks_written").asInt());
      assertFalse(s.has("reason"));
    }

    // Chunk samples equal resampling the whole recording and cutting it (no chunk edge effects);
    // the padded tail is zeros.
    Audio whole = WavReader.read(rec.resolve("birds_16k_24bit.wav"));
    float[] y = Resampler.of(16_000, 28_000).resample(whole.channel(0));
    Audio c1 = WavReader.read(out.resolve("chunks/birds_16k_24bit/birds_16k_24bit_750_1750.wav"));
    assertArrayEquals(java.util.Arrays.copyOfRange(y, 21_000, 49_000), c1.channel(0), 1e-6f);
    Audio c3 = WavReader.read(out.resolve("chunks/birds_16k_24bit/birds_16k_24bit_2250_2600.wav"));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(y, 63_000, 72_800),
        java.util.Arrays.copyOf(c3.channel(0), 9_800),
        1e-6f);
    for (int i = 9_800; i < 28_000; i++) {
      assertEquals(0f, c3.sample(0, i), 0f);
    }
    // Stereo channels stay apart: channel 1 is not channel 0.
    Audio st = WavReader.read(out.resolve("chunks/dawn_44k_stereo/dawn_44k_stereo_0_1000.wav"));
    assertFalse(java.util.Arrays.equals(st.channel(0), st.channel(1)));

    // Failures: truncated, not a WAV, escaping symlink; one-line reasons, no manifest.
    Map<String, String> expectedReason =
        Map.of(
            "cut_short", "cut_short.wav", "notes", "notes.wav", "escape", "outside --recordings");
    for (Map.Entry<String, String> f : expectedReason.entrySet()) {
      JsonNode s = json(out.resolve("manifests/" + f.getKey() + ".chunk_status.json"));
      assertEquals("failed", s.get("status").asText());
      String reason = s.get("reason").asText();
      assertThat(reason, containsString(f.getValue()));
      assertFalse(reason, reason.contains("\n"));
      assertFalse(Files.exists(out.resolve("manifests/" + f.getKey() + ".csv")));
    }
    assertThat(
        json(out.resolve("manifests/cut_short.chunk_status.json")).get("reason").asText(),
        containsString("truncated"));
    List<String> failureLines = new ArrayList<>();
    for (String f : files(out.resolve("chunk_failures"))) {
      failureLines.addAll(Files.readAllLines(out.resolve("chunk_failures").resolve(f)));
    }
    assertEquals(3, failureLines.size());
    for (String name : List.of("cut_short.wav", "notes.wav", "escape.wav")) {
      assertTrue(name, failureLines.stream().anyMatch(l -> l.contains(name)));
    }

    // Parquet chunk table: every chunk, same sha256 as the manifests.
    try (DuckDb db = DuckDb.inMemory()) {
      String table =
          "read_parquet(" + DuckDb.literal(out.resolve("chunk_table") + "/*.parquet") + ")";
      assertEquals(12, db.count("SELECT * FROM " + table));
      assertEquals(
          4,
          db.count(
              "SELECT * FROM "
                  + table
                  + " WHERE recording_id = 'dawn_44k_stereo' AND channels = 2"));
      assertEquals(
          List.of(List.of((Object) "night_48k_float_2250_2600", true)),
          db.rows(
              "SELECT chunk_id, partial FROM "
                  + table
                  + " WHERE recording_id = 'night_48k_float' AND start_ms = 2250"));
    }

    // Re-run: completed recordings are skipped (files untouched), failed ones tried again; a
    // recording with a missing chunk file is chunked again.
    Path probe = out.resolve("chunks/dawn_44k_stereo/dawn_44k_stereo_0_1000.wav");
    FileTime before = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(probe, before);
    Files.delete(out.resolve("chunks/birds_16k_24bit/birds_16k_24bit_750_1750.wav"));
    PipelineResult second = run(options(rec, out));
    assertEquals(2, counter(second, "recordings_skipped"));
    assertEquals(1, counter(second, "recordings_completed"));
    assertEquals(3, counter(second, "recordings_failed"));
    assertEquals(before, Files.getLastModifiedTime(probe));
    assertEquals(expectedFiles, files(out.resolve("chunks")));
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          12,
          db.count(
              "SELECT * FROM read_parquet("
                  + DuckDb.literal(out.resolve("chunk_table") + "/*.parquet")
                  + ")"));
    }

    // Changed settings: nothing is skipped, and each recording's chunk directory is replaced as a
    // whole: the padded last chunk of the earlier run does not survive beside the new ones.
    PipelineResult third = run(options(rec, out, "--partial=drop"));
    assertEquals(0, counter(third, "recordings_skipped"));
    assertEquals(3, counter(third, "recordings_completed"));
    assertEquals(3, ChunkManifest.read(out.resolve("manifests/dawn_44k_stereo.csv")).size());
    assertEquals(
        List.of(
            "dawn_44k_stereo_0_1000.wav",
            "dawn_44k_stereo_1500_2500.wav",
            "dawn_44k_stereo_750_1750.wav"),
        files(out.resolve("chunks/dawn_44k_stereo")));
    assertEquals(9, files(out.resolve("chunks")).size());
  }

  @Test
  public void eachRecordingIsCommittedAfterItsOutputsAndFailuresAreRecorded() throws Exception {
    Path rec = tmp.newFolder("recordings").toPath();
    InferChunkTestData.write(rec);
    Path out = tmp.getRoot().toPath().resolve("out");
    run(options(rec, out));
    ItemCommits commits = ItemCommits.of(out, "infer-chunk");
    assertEquals(
        List.of("birds_16k_24bit", "cut_short", "dawn_44k_stereo", "night_48k_float", "notes"),
        new ArrayList<>(commits.readAll().keySet()));
    for (String id : GOOD) {
      CommitRecord r = commits.committed(id).orElseThrow();
      assertEquals(
          List.of(
              "chunks/" + id, "manifests/" + id + ".csv", "manifests/" + id + ".chunk_status.json"),
          r.outputs().stream().map(CommitRecord.Output::path).toList());
      assertEquals(Long.valueOf(4), r.outputs().get(0).files());
      assertEquals(4, ((Number) r.details().get("chunks")).intValue());
      assertEquals(1.0, ((Number) r.details().get("chunk_seconds")).doubleValue(), 0);
      assertEquals("pad", r.details().get("partial"));
    }
    for (String id : List.of("cut_short", "notes")) {
      CommitRecord r = commits.read(id).orElseThrow();
      assertEquals("failed", r.status());
      assertThat(r.error(), containsString(id + ".wav"));
      // The status file repeats the failure record's reason for the seed's readers.
      assertEquals(
          r.error(),
          json(out.resolve("manifests/" + id + ".chunk_status.json")).get("reason").asText());
    }

    // Resume trusts records, not status files: a recording whose status says completed but whose
    // record is gone (a run killed between the two) is chunked again; so is one whose source file
    // changed since it was committed.
    Files.delete(commits.recordFile("dawn_44k_stereo"));
    assertEquals(
        "completed",
        json(out.resolve("manifests/dawn_44k_stereo.chunk_status.json")).get("status").asText());
    io.beamline.io.audio.WavWriter.write(
        rec.resolve("birds_16k_24bit.wav"),
        InferChunkTestData.tones(16_000, 1, 1.2),
        WavEncoding.PCM_24);
    PipelineResult again = run(options(rec, out));
    assertEquals(1, counter(again, "recordings_skipped"));
    assertEquals(2, counter(again, "recordings_completed"));
    assertEquals(
        List.of("birds_16k_24bit_0_1000.wav", "birds_16k_24bit_750_1200.wav"),
        files(out.resolve("chunks/birds_16k_24bit")));
    assertTrue(commits.committed("dawn_44k_stereo").isPresent());
    try (DuckDb db = DuckDb.inMemory()) {
      String table =
          "read_parquet(" + DuckDb.literal(out.resolve("chunk_table") + "/*.parquet") + ")";
      assertEquals(10, db.count("SELECT * FROM " + table));
      assertEquals(10, db.count("SELECT DISTINCT chunk_id FROM " + table));
    }
  }

  @Test
  public void badWavsEndTheRunPartialWithOneFailureRecordEach() throws Exception {
    Path rec = tmp.newFolder("recordings").toPath();
    InferChunkTestData.writeBad(rec);
    Path out = tmp.getRoot().toPath().resolve("out");
    RunRecord r =
        Runs.run(new InferChunkPipeline(), options(rec, out, "--runId=bad-wavs"), List.of());
    assertEquals(r.error(), "partial", r.status());
    assertEquals(1, r.items().succeeded());
    assertEquals(4, r.items().failed());
    assertEquals("partial", Runs.readManifest(r.runDir()).get("status"));
    ItemCommits commits = ItemCommits.of(out, "infer-chunk");
    Map<String, String> reasons =
        Map.of(
            "truncated", "truncated WAV",
            "lying", "sample rate 0",
            "text", "not a WAV file",
            "empty", "only 0 bytes");
    for (Map.Entry<String, String> e : reasons.entrySet()) {
      CommitRecord failed = commits.read(e.getKey()).orElseThrow();
      assertEquals("failed", failed.status());
      assertEquals("bad-wavs", failed.runId());
      assertThat(failed.error(), containsString(e.getKey() + ".wav"));
      assertThat(failed.error(), containsString(e.getValue()));
      assertEquals(
          "failed",
          json(out.resolve("manifests/" + e.getKey() + ".chunk_status.json"))
              .get("status")
              .asText());
      assertFalse(Files.exists(out.resolve("manifests/" + e.getKey() + ".csv")));
      assertFalse(Files.exists(out.resolve("chunks/" + e.getKey())));
    }
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(
          4,
          db.count(
              "SELECT * FROM read_parquet("
                  + DuckDb.literal(out.resolve("chunk_table") + "/*.parquet")
                  + ") WHERE recording_id = 'good'"));
      assertEquals(
          4,
          db.count(
              "SELECT * FROM read_json_auto("
                  + DuckDb.literal(out.resolve("chunk_failures") + "/*.jsonl")
                  + ") WHERE step = 'ChunkRecordings'"));
    }
  }

  @Test
  public void badOptionsAreOneLineUserErrors() throws Exception {
    Path rec = tmp.newFolder("recordings").toPath();
    Path out = tmp.getRoot().toPath().resolve("out");
    UserInputException empty =
        assertThrows(
            UserInputException.class, () -> new InferChunkPipeline().validate(options(rec, out)));
    assertThat(empty.getMessage(), containsString("no .wav files under --recordings"));
    InferChunkTestData.write(rec);
    Files.copy(rec.resolve("notes.wav"), rec.resolve("deep/notes.WAV"));
    UserInputException dup =
        assertThrows(
            UserInputException.class, () -> new InferChunkPipeline().validate(options(rec, out)));
    assertThat(dup.getMessage(), containsString("same recording id 'notes'"));
    Files.delete(rec.resolve("deep/notes.WAV"));
    for (String[] bad :
        new String[][] {
          {"--overlapSeconds=1.0", "--overlap-seconds"},
          {"--chunkSeconds=0", "--chunk-seconds"},
          {"--targetRate=0", "--target-rate"},
          {"--partial=keep", "--partial must be pad or drop"}
        }) {
      UserInputException e =
          assertThrows(
              UserInputException.class,
              () -> new InferChunkPipeline().validate(options(rec, out, bad[0])));
      assertThat(e.getMessage(), containsString(bad[1]));
    }
    UserInputException missing =
        assertThrows(
            UserInputException.class,
            () -> new InferChunkPipeline().validate(options(rec.resolve("nope"), out)));
    assertThat(missing.getMessage(), containsString("recordings directory not found"));
    assertFalse(Files.exists(out));
  }

  @Test
  public void manifestCsvQuotesAndReadsBack() throws Exception {
    ChunkManifest.Entry e =
        new ChunkManifest.Entry(
            "r",
            "r_0_3000",
            "/data/a,\"b\".wav",
            0,
            3,
            28_000,
            2,
            "ab",
            0,
            3000,
            0,
            "x\ny",
            "c/r.wav",
            44_100,
            84_000,
            false);
    Path f = tmp.newFile("m.csv").toPath();
    Files.writeString(f, ChunkManifest.toCsv(List.of(e, e)));
    assertEquals(List.of(e, e), ChunkManifest.read(f));
    assertThat(Files.readString(f), containsString(",\"/data/a,\"\"b\"\".wav\",0.000,3.000,"));
  }
}

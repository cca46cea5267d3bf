package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.files;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.files.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session is one item of the commit protocol ({@code commits/constellation/<subject>%2F<session>
 * .json}): its raw and gold sets are written to staging and replace the previous ones as a whole,
 * then the record is written; a run that fails leaves the committed session as it was.
 */
class ConstellationCommitTest {
  @TempDir Path dir;

  private Path config(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private static RunRecord run(List<String> a) {
    return Runs.run(new ConstellationPipeline(), options(a), a);
  }

  /** Every temporary ({@link AtomicFiles#isTemporary}) under {@code root}. */
  static List<Path> temporaries(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> AtomicFiles.isTemporary(p.getFileName().toString())).toList();
    }
  }

  private static List<String> listedShards(Path jobFile) throws Exception {
    List<String> listed = new ArrayList<>();
    read(jobFile).get("shards").forEach(s -> listed.add(s.get("file").asText()));
    return listed;
  }

  @Test
  void rerunningASessionReplacesItsSetsAsAWhole() throws Exception {
    Path out = dir.resolve("out");
    Path cfg = config("train.yaml", "model: brainstate-cnn\n");
    List<String> first =
        args(
            out,
            "--noKafka",
            "--duration=2",
            "--windowSeconds=0.5",
            "--shardSize=1",
            "--trainingConfig=" + cfg,
            "--runId=first");
    assertEquals("succeeded", run(first).status());
    Path gold = out.resolve("gold/S1/A");
    assertEquals(
        List.of(
            "shard-000000.tar",
            "shard-000001.tar",
            "shard-000002.tar",
            "shard-000003.tar",
            "training_job.json"),
        files(gold));

    // The same session again with bigger shards: fewer shard files, none of the first run's left.
    List<String> second =
        args(
            out,
            "--noKafka",
            "--duration=2",
            "--windowSeconds=0.5",
            "--shardSize=3",
            "--trainingConfig=" + cfg,
            "--runId=second");
    RunRecord r = run(second);
    assertEquals("succeeded", r.status(), r.error());
    assertEquals(1, r.items().succeeded());
    assertEquals(List.of("shard-000000.tar", "shard-000001.tar", "training_job.json"), files(gold));
    JsonNode job = read(gold.resolve("training_job.json"));
    assertEquals(
        List.of("shard-000000.tar", "shard-000001.tar"),
        listedShards(gold.resolve("training_job.json")));
    assertEquals(gold.toString(), job.get("shards_dir").asText());
    assertEquals("second", job.get("job_name").asText());

    ItemCommits commits = ItemCommits.of(out, "constellation");
    CommitRecord rec = commits.committed("S1/A").orElseThrow();
    assertEquals("second", rec.runId());
    assertEquals(
        List.of("raw/S1/A", "gold/S1/A"), rec.outputs().stream().map(o -> o.path()).toList());
    assertEquals(2L, ((Number) rec.details().get("shards")).longValue());
    assertEquals(33196L, ((Number) rec.details().get("samples")).longValue());
    assertEquals(List.of("S1/A"), List.copyOf(commits.readAll().keySet()));
    assertThat(temporaries(out), empty());
    assertFalse(Files.exists(out.resolve("constellation")), "the old layout");
  }

  @Test
  void aFailedRunLeavesTheCommittedSessionAsItWas() throws Exception {
    Path out = dir.resolve("out");
    List<String> good =
        args(out, "--noKafka", "--duration=1", "--windowSeconds=0.5", "--runId=good");
    assertEquals("succeeded", run(good).status());
    Path raw = out.resolve("raw/S1/A");
    byte[] report = Files.readAllBytes(raw.resolve("sync_report.json"));
    List<String> rawFiles = files(raw);

    // A valid spec whose shard glob matches nothing: the hand-off fails after the graph ran,
    // with a different seed's outputs already written to staging.
    Path cfg = config("nothing.yaml", "model: m\nshards: \"none-*.tar\"\n");
    List<String> bad =
        args(
            out,
            "--noKafka",
            "--duration=1",
            "--windowSeconds=0.5",
            "--seed=99",
            "--faultInjection",
            "--trainingConfig=" + cfg,
            "--runId=bad");
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> Runs.run(new ConstellationPipeline(), options(bad), bad));
    assertThat(
        e.getMessage(),
        containsString(
            "no shards matching 'none-*.tar' in " + out.resolve("gold/S1/A").toAbsolutePath()));
    assertEquals("failed", Runs.readManifest(out.resolve("runs/bad")).get("status"));

    CommitRecord rec = ItemCommits.of(out, "constellation").committed("S1/A").orElseThrow();
    assertEquals("good", rec.runId());
    assertEquals(rawFiles, files(raw));
    assertArrayEquals(report, Files.readAllBytes(raw.resolve("sync_report.json")));
    assertThat(temporaries(out), empty());
  }

  @Test
  void theSummaryIsDerivedFromTheCommitRecord() throws Exception {
    Path out = dir.resolve("out");
    List<String> a =
        args(
            out,
            "--noKafka",
            "--duration=2",
            "--faultInjection",
            "--seed=7",
            "--windowSeconds=0.5",
            "--runId=sum");
    assertEquals("succeeded", run(a).status());
    CommitRecord rec = ItemCommits.of(out, "constellation").committed("S1/A").orElseThrow();
    JsonNode report = read(out.resolve("raw/S1/A/sync_report.json")).get("modalities");
    long dropped = 0;
    long expected = 0;
    double worst = 0;
    for (JsonNode m : report) {
      dropped += m.get("dropped_packets").asLong();
      expected += m.get("packets_expected").asLong();
      worst = Math.max(worst, m.get("alignment_error_ms").asDouble());
    }
    assertTrue(dropped > 0);
    assertEquals(dropped, ((Number) rec.details().get("dropped_packets")).longValue());
    assertEquals(expected, ((Number) rec.details().get("packets_expected")).longValue());
    assertEquals(
        worst, ((Number) rec.details().get("alignment_error_ms_max")).doubleValue(), 1e-12);

    String summary =
        ConstellationConsole.summary(
            rec, out.toAbsolutePath(), out.resolve("raw/S1/A"), out.resolve("gold/S1/A"));
    long rawFiles = files(out.resolve("raw/S1/A")).size();
    assertThat(
        summary, containsString("session S1/A committed by run sum: " + rawFiles + " files"));
    assertThat(
        summary,
        containsString(
            String.format(java.util.Locale.ROOT, "%,d of %,d packets dropped", dropped, expected)));
    assertThat(
        summary,
        containsString(
            String.format(java.util.Locale.ROOT, "alignment error at most %.3f ms", worst)));
    assertEquals(1, summary.lines().count());
  }
}

package io.beamline.pipelines.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.UserInputException;
import io.beamline.io.files.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingHandoffTest {
  @TempDir Path dir;

  private Path shards() throws Exception {
    Path gold = Files.createDirectories(dir.resolve("gold/subj/sess"));
    Files.write(gold.resolve("shard-000001.tar"), new byte[2048]);
    Files.write(gold.resolve("shard-000000.tar"), new byte[1024]);
    Files.writeString(gold.resolve("notes.txt"), "not a shard");
    Files.createDirectories(gold.resolve("shard-999999.tar.d"));
    return gold;
  }

  private Path config(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void aStagedHandOffRecordsTheFinalDirectory() throws Exception {
    Path staged = shards();
    Path finalDir = dir.resolve("final/subj/sess");
    Path cfg = config("train.yaml", "model: brainstate-cnn\n");
    TrainingHandoff.TrainingJob job = TrainingHandoff.handOff(cfg, staged, finalDir, "job-1");
    // Written where the shards are now, naming where they will be once moved there as a whole.
    assertTrue(Files.isRegularFile(staged.resolve("training_job.json")));
    assertFalse(Files.exists(finalDir));
    assertEquals(finalDir.resolve("training_job.json"), job.jobFile());
    assertEquals(
        List.of(finalDir.resolve("shard-000000.tar"), finalDir.resolve("shard-000001.tar")),
        job.shards());
    JsonNode j = new ObjectMapper().readTree(staged.resolve("training_job.json").toFile());
    assertEquals(finalDir.toString(), j.get("shards_dir").asText());
    assertEquals(2, j.get("shard_count").asInt());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    UserInputException e =
        assertThrows(
            UserInputException.class, () -> TrainingHandoff.handOff(cfg, empty, finalDir, "j"));
    assertThat(e.getMessage(), containsString("in " + finalDir + ";"));
  }

  @Test
  void recordsTheJobNextToTheShards() throws Exception {
    Path gold = shards();
    Path cfg = config("train.yaml", "model: brainstate-cnn\nmodalities: [eeg]\nepochs: 3\n");
    TrainingHandoff.TrainingJob job =
        TrainingHandoff.handOff(cfg, gold, "20240101t120000z-constellation-1a2b");
    assertEquals(gold.resolve("training_job.json"), job.jobFile());
    assertEquals(
        List.of(gold.resolve("shard-000000.tar"), gold.resolve("shard-000001.tar")), job.shards());
    assertFalse(job.submitted());

    JsonNode j = new ObjectMapper().readTree(job.jobFile().toFile());
    assertEquals("20240101t120000z-constellation-1a2b", j.get("job_name").asText());
    assertEquals("recorded", j.get("status").asText());
    assertFalse(j.get("submitted").asBoolean());
    assertThat(j.get("submission").asText(), containsString("no cloud target configured"));
    assertEquals(cfg.toAbsolutePath().toString(), j.get("config").get("path").asText());
    assertEquals(Digests.sha256(cfg), j.get("config").get("sha256").asText());
    assertEquals(gold.toString(), j.get("shards_dir").asText());
    assertEquals(2, j.get("shard_count").asInt());
    assertEquals(3072, j.get("shard_bytes").asLong());
    assertEquals("shard-000000.tar", j.get("shards").get(0).get("file").asText());
    assertEquals(1024, j.get("shards").get(0).get("size").asLong());
    assertEquals("brainstate-cnn", j.get("spec").get("model").asText());
    assertEquals(3, j.get("spec").get("epochs").asInt());
    assertEquals(32, j.get("spec").get("batch_size").asInt());
    assertTrue(j.get("spec").get("cloud").isNull());
    java.time.Instant.parse(j.get("created_utc").asText());
    assertNoTemporaryFiles(gold);

    // A second hand-off replaces the record; the job file itself is never taken for a shard.
    Path cfg2 = config("train2.yaml", "model: other\nshards: \"*\"\n");
    TrainingHandoff.TrainingJob again = TrainingHandoff.handOff(cfg2, gold, "second");
    assertEquals(
        List.of("notes.txt", "shard-000000.tar", "shard-000001.tar"), names(again.shards()));
    assertEquals(
        "other",
        new ObjectMapper().readTree(again.jobFile().toFile()).get("spec").get("model").asText());
    assertNoTemporaryFiles(gold);
  }

  @Test
  void aCloudTargetIsRecordedNotSubmitted() throws Exception {
    Path gold = shards();
    Path cfg = config("c.yaml", TrainingSpecTest.FULL_YAML);
    TrainingHandoff.TrainingJob job = TrainingHandoff.handOff(cfg, gold, "job-1");
    JsonNode j = new ObjectMapper().readTree(job.jobFile().toFile());
    assertEquals("sagemaker", j.get("spec").get("cloud").get("provider").asText());
    assertEquals(2, j.get("spec").get("cloud").get("instance_count").asInt());
    assertFalse(j.get("submitted").asBoolean());
    assertThat(j.get("submission").asText(), containsString("submit this job with your launcher"));
  }

  @Test
  void anInvalidConfigWritesNothing() throws Exception {
    Path gold = shards();
    Path cfg = config("bad.yaml", "model: m\nbatch_size: many\n");
    UserInputException e =
        assertThrows(UserInputException.class, () -> TrainingHandoff.handOff(cfg, gold, "j"));
    assertEquals(
        "training config "
            + cfg
            + ": field 'batch_size' must be an integer, got the string \"many\"",
        e.getMessage());
    assertFalse(Files.exists(gold.resolve("training_job.json")));
  }

  @Test
  void noMatchingShardsIsAOneLineError() throws Exception {
    Path gold = shards();
    Path cfg = config("t.yaml", "model: m\nshards: \"part-*.tar\"\n");
    UserInputException e =
        assertThrows(UserInputException.class, () -> TrainingHandoff.handOff(cfg, gold, "j"));
    assertEquals(
        "no shards matching 'part-*.tar' in " + gold + "; check 'shards' in training config " + cfg,
        e.getMessage());
    assertFalse(Files.exists(gold.resolve("training_job.json")));

    Path missing = dir.resolve("nowhere");
    e = assertThrows(UserInputException.class, () -> TrainingHandoff.handOff(cfg, missing, "j"));
    assertThat(e.getMessage(), containsString("shards directory " + missing + " does not exist"));
  }

  @Test
  void badJobNamesAreRejected() throws Exception {
    Path gold = shards();
    Path cfg = config("t.yaml", "model: m\n");
    for (String name : new String[] {"", "-x", "x-", "a_b", "a".repeat(64)}) {
      UserInputException e =
          assertThrows(UserInputException.class, () -> TrainingHandoff.handOff(cfg, gold, name));
      assertThat(e.getMessage(), containsString("training job name '" + name + "'"));
    }
  }

  private static List<String> names(List<Path> paths) {
    List<String> out = new ArrayList<>();
    paths.forEach(p -> out.add(p.getFileName().toString()));
    return out;
  }

  private static void assertNoTemporaryFiles(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      List<String> hidden =
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
      assertEquals(List.of(), hidden);
    }
  }
}

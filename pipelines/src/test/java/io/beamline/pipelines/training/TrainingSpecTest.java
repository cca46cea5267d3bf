package io.beamline.pipelines.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.framework.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSpecTest {
  @TempDir Path dir;

  static final String FULL_YAML =
      """
      # a complete spec
      model: brainstate-cnn
      shards: "shard-*.tar"
      modalities: [eeg, ecg, audio]
      window_seconds: 2.5
      batch_size: 64
      epochs: 20
      learning_rate: 3.0e-4
      seed: 42
      hyperparameters:
        dropout: 0.1
        optimizer: adamw
        amp: true
        layers: 4
      cloud:
        provider: sagemaker
        image_uri: 123.dkr.ecr.us-west-2.amazonaws.com/train:1
        role: arn:aws:iam::123:role/Exec
        instance_type: ml.g5.2xlarge
        instance_count: 2
        input_data: {train: "s3://b/gold/s/x/"}
        output_path: s3://b/models/
      """;

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  private UserInputException bad(String name, String text) throws Exception {
    Path f = write(name, text);
    UserInputException e = assertThrows(UserInputException.class, () -> TrainingSpec.load(f));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertThat(e.getMessage(), startsWith("training config " + f));
    return e;
  }

  @Test
  void readsEveryFieldFromYaml() throws Exception {
    TrainingSpec s = TrainingSpec.load(write("t.yaml", FULL_YAML));
    assertEquals("brainstate-cnn", s.model());
    assertEquals("shard-*.tar", s.shards());
    assertEquals(List.of("eeg", "ecg", "audio"), s.modalities());
    assertEquals(2.5, s.windowSeconds());
    assertEquals(64, s.batchSize());
    assertEquals(20, s.epochs());
    assertEquals(3.0e-4, s.learningRate());
    assertEquals(42L, s.seed());
    assertEquals(
        Map.of("dropout", 0.1, "optimizer", "adamw", "amp", true, "layers", 4L),
        s.hyperparameters());
    assertEquals("sagemaker", s.cloud().provider());
    assertEquals(2, s.cloud().fields().get("instance_count"));
    assertEquals("ml.g5.2xlarge", s.cloud().fields().get("instance_type"));
    assertEquals(Map.of("train", "s3://b/gold/s/x/"), s.cloud().fields().get("input_data"));
    assertEquals("s3://b/models/", s.cloud().fields().get("output_path"));
  }

  @Test
  void jsonGivesTheSameSpecAsYaml() throws Exception {
    TrainingSpec y = TrainingSpec.load(write("t.yml", FULL_YAML));
    String json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(
                new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(FULL_YAML));
    TrainingSpec j = TrainingSpec.load(write("t.json", json));
    assertEquals(y.toMap(), j.toMap());
  }

  @Test
  void defaultsFillInAMinimalSpecWithNoCloud() throws Exception {
    TrainingSpec s = TrainingSpec.load(write("m.yaml", "model: tiny\n"));
    assertEquals("tiny", s.model());
    assertEquals(TrainingSpec.DEFAULT_SHARDS, s.shards());
    assertEquals(List.of(), s.modalities());
    assertNull(s.windowSeconds());
    assertEquals(32, s.batchSize());
    assertEquals(10, s.epochs());
    assertEquals(0.001, s.learningRate());
    assertEquals(0L, s.seed());
    assertNull(s.cloud());
  }

  @Test
  void acceptsTheSeedsSageMakerFile() throws Exception {
    TrainingSpec s =
        TrainingSpec.load(
            write(
                "seed.json",
                """
                {"image_uri": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-gpu-py39",
                 "role": "arn:aws:iam::123456789012:role/SageMakerExecution",
                 "instance_type": "ml.p3.16xlarge", "instance_count": 1,
                 "hyperparameters": {"epochs": 5, "lr": 0.01},
                 "input_data": {"train": "s3://constellation/gold/"},
                 "s3_output_path": "s3://constellation/models/job"}
                """));
    assertEquals("sagemaker", s.cloud().provider());
    assertEquals(s.cloud().fields().get("image_uri"), s.model());
    assertEquals("s3://constellation/models/job", s.cloud().fields().get("output_path"));
    assertEquals(Map.of("epochs", 5L, "lr", 0.01), s.hyperparameters());
  }

  @Test
  void unknownFieldsAreNamedWithASuggestion() throws Exception {
    UserInputException e =
        bad("u.yaml", "model: m\nbatchsize: 3\nfoo: 1\ncloud: {provider: sagemaker, rolee: x}\n");
    assertThat(
        e.getMessage(), containsString("unknown field 'batchsize' (did you mean 'batch_size'?)"));
    assertThat(e.getMessage(), containsString("unknown field 'foo' (known: model, shards,"));
    assertThat(
        e.getMessage(), containsString("unknown field 'cloud.rolee' (did you mean 'cloud.role'?)"));
  }

  @Test
  void wrongTypesAndRangesAreNamed() throws Exception {
    UserInputException e =
        bad(
            "w.yaml",
            """
            model: m
            batch_size: "32"
            epochs: 0
            learning_rate: -1
            seed: 1.5
            window_seconds: [1]
            modalities: eeg
            hyperparameters: {nested: {a: 1}}
            """);
    String m = e.getMessage();
    assertThat(m, containsString("field 'batch_size' must be an integer, got the string \"32\""));
    assertThat(m, containsString("field 'epochs' must be in 1..1000000, got 0"));
    assertThat(m, containsString("field 'learning_rate' must be a finite number > 0, got -1"));
    assertThat(m, containsString("field 'seed' must be an integer, got 1.5"));
    assertThat(m, containsString("field 'window_seconds' must be a number, got a list"));
    assertThat(
        m, containsString("field 'modalities' must be a list of names, got the string \"eeg\""));
    assertThat(
        m,
        containsString(
            "field 'hyperparameters.nested' must be a string, number or boolean, got a mapping"));
  }

  @Test
  void nestedCloudFieldsAreChecked() throws Exception {
    UserInputException e = bad("c.yaml", "model: m\ncloud: {provider: gcp, instance_count: two}\n");
    assertThat(
        e.getMessage(),
        containsString("field 'cloud.provider' must be one of [sagemaker], got 'gcp'"));
    assertThat(
        e.getMessage(),
        containsString("field 'cloud.instance_count' must be an integer, got the string \"two\""));
    assertThat(
        bad("c2.yaml", "model: m\ncloud: {image_uri: x}\n").getMessage(),
        containsString("missing required field 'cloud.provider'"));
    assertThat(
        bad("c3.yaml", "model: m\nrole: r\ncloud: {provider: sagemaker}\n").getMessage(),
        containsString("give either 'cloud' or the seed's top-level"));
  }

  @Test
  void missingRequiredFieldIsNamed() throws Exception {
    assertThat(
        bad("r.yaml", "epochs: 3\n").getMessage(),
        containsString("missing required field 'model'"));
    assertThat(
        bad("r2.yaml", "model: ''\n").getMessage(),
        containsString("field 'model' must not be empty"));
  }

  @Test
  void shardsMustStayInTheShardsDirectory() throws Exception {
    assertThat(
        bad("s.yaml", "model: m\nshards: ../other/*.tar\n").getMessage(),
        containsString("field 'shards' must be a glob of file names in the shards directory"));
  }

  @Test
  void malformedEmptyOrMisshapenFilesAreOneLineErrors() throws Exception {
    assertThat(
        bad("p.yaml", "model: [unclosed\nepochs: 3\n").getMessage(),
        containsString("not valid YAML at line"));
    assertThat(
        bad("p.json", "{\"model\": }").getMessage(), containsString("not valid JSON at line 1"));
    assertThat(
        bad("d.yaml", "model: a\nmodel: b\n").getMessage(),
        containsString("Duplicate field 'model'"));
    assertThat(bad("e.yaml", "").getMessage(), containsString("is empty"));
    assertThat(
        bad("l.yaml", "- a\n- b\n").getMessage(), containsString("must be a mapping of fields"));
    assertThat(
        bad("x.txt", "model: m\n").getMessage(), containsString("unsupported file type '.txt'"));
    Path missing = dir.resolve("nope.yaml");
    UserInputException e = assertThrows(UserInputException.class, () -> TrainingSpec.load(missing));
    assertEquals(
        "training config " + missing + " does not exist or is not a file; check --training-config",
        e.getMessage());
  }
}

/**
 * Hand-off from exported shards to model training: {@link
 * io.beamline.pipelines.training.TrainingSpec} reads and validates a YAML/JSON training job spec,
 * {@link io.beamline.pipelines.training.TrainingHandoff} resolves the shards and records {@code
 * training_job.json} next to them. See {@code docs/training.md}.
 */
package io.beamline.pipelines.training;

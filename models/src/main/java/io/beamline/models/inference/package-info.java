/**
 * Model inference on DJL: {@link io.beamline.models.inference.InferenceWorker} is the one inference
 * path of the project. It takes a worker slot ({@link io.beamline.models.inference.WorkerSlot}:
 * {@code gpu-0}, {@code cpu-0}, ...), shares the slot device's model through {@link
 * io.beamline.models.inference.ModelCache} (loaded once per worker JVM) and predicts through a
 * {@code Predictor} of its own; a stage that predicts (the attempt stage of {@code infer run})
 * holds one per DoFn instance and decides batches, retries and failure records itself.
 */
package io.beamline.models.inference;

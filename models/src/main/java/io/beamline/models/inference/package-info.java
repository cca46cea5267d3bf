/**
 * A RunInference-style transform on DJL: {@link io.beamline.models.inference.RunInference} batches
 * keyed inputs, predicts them with a model loaded once per worker JVM ({@link
 * io.beamline.models.inference.ModelCache}) through one {@code Predictor} per DoFn instance, places
 * instances on worker slots ({@link io.beamline.models.inference.WorkerSlot}: {@code gpu-0}, {@code
 * cpu-0}, ...), and routes failed inputs to a failures output.
 */
package io.beamline.models.inference;

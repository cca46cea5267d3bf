/**
 * Model inference on DJL (a RunInference-style transform: one model per worker JVM, one {@code
 * Predictor} per thread, batching, device assignment) and the models the project builds and trains
 * itself on data it generates. Populated by the {@code infer} work (issue #3).
 */
package io.beamline.models;

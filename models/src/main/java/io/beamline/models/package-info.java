/**
 * Model inference on DJL (one model per worker JVM and device, one {@code Predictor} per worker,
 * worker slots on GPUs and CPUs) and the models the project builds and trains itself on data it
 * generates. Populated by the {@code infer} work (issue #3).
 */
package io.beamline.models;

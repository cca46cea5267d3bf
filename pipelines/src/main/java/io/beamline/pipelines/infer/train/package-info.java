/**
 * {@code beamline infer train}: trains the project's bird-call detector on seeded synthetic
 * segments and writes a model directory that {@code infer run} loads.
 */
package io.beamline.pipelines.infer.train;

/**
 * Benchmarks of model inference (run by {@code bench/infer-gpu.sh}, never by the test suite): the
 * project's inference path against a bare DJL predict loop, on a GPU when PyTorch sees one.
 */
package io.beamline.models.bench;

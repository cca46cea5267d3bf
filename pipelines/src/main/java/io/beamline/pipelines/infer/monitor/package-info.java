/**
 * {@code beamline infer monitor}: per-worker success, failure and retry totals of {@code infer
 * run}'s telemetry, once or following it as it grows.
 */
package io.beamline.pipelines.infer.monitor;

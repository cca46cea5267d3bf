/**
 * {@code beamline infer orchestrate}: plans {@code infer run} over every chunked recording and runs
 * the plan in this process (optionally as {@code datalad run}s) or writes a SLURM array script.
 */
package io.beamline.pipelines.infer.orchestrate;

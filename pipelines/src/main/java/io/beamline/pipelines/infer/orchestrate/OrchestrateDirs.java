package io.beamline.pipelines.infer.orchestrate;

import java.nio.file.Path;

/**
 * Where things are, resolved once from the options.
 *
 * @param dataset the directory given (the seed's dataset)
 * @param layout where manifests and chunk status files are read
 * @param runOut {@code --output-dir} of every run and where the plan goes
 * @param aggOut {@code --output-dir} of the aggregation
 * @param logDir the runs' {@code --log-dir} ({@code --slurm-log-dir}), or null
 */
record OrchestrateDirs(
    Path dataset, OrchestratePlan.Layout layout, Path runOut, Path aggOut, Path logDir) {}

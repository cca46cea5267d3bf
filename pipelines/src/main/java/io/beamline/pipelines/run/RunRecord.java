package io.beamline.pipelines.run;

import java.nio.file.Path;

/**
 * What a finished run (or plan) left behind.
 *
 * @param runId the run id
 * @param runDir {@code <output-dir>/runs/<run-id>}
 * @param status {@code succeeded}, {@code failed} or {@code planned}
 * @param plan the recorded plan
 * @param error the one-line failure reason, or {@code null}
 */
public record RunRecord(
    String runId, Path runDir, String status, PlanExporter plan, String error) {}

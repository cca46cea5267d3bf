/**
 * {@code beamline infer aggregate}: the detections tables of {@code infer run} into one DuckDB
 * database, Parquet summaries per label and time bucket, and a quicklook bundle.
 */
package io.beamline.pipelines.infer.aggregate;

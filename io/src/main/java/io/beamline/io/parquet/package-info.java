/**
 * Parquet analysis tables: Beam {@code Row}s in, Parquet files with proper logical types out.
 *
 * <p>{@link io.beamline.io.parquet.ParquetTableIO} is the one writer every pipeline uses for its
 * tables, so that timestamps are Parquet {@code TIMESTAMP} columns (never strings), nullability is
 * declared, and files appear only under their final names once complete.
 */
package io.beamline.io.parquet;

/** DuckDB access through its JDBC driver: querying the Parquet tables pipelines write. */
package io.beamline.io.duckdb;

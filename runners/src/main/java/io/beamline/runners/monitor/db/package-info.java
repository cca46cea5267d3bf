/**
 * The monitor's database: an embedded H2 file by default or PostgreSQL by JDBC URL ({@link
 * io.beamline.runners.monitor.db.MonitorDatabase}), its schema migrated by Flyway from {@code
 * db/monitor/V*.sql} (one SQL dialect that both run), and generic stores over its tables ({@link
 * io.beamline.runners.monitor.db.TableStore}) described once in {@link
 * io.beamline.runners.monitor.db.MonitorTables}.
 */
package io.beamline.runners.monitor.db;

/**
 * {@code beamline monitor serve}: the monitoring service of the streaming testbed. {@link
 * io.beamline.runners.monitor.MonitorService} runs it; {@link
 * io.beamline.runners.monitor.MonitorServer} serves the REST API, the live message stream and the
 * web page over the database of {@link io.beamline.runners.monitor.db}; the broker ingest reads the
 * workflow's Kafka topics into it. See {@code docs/monitor.md}.
 */
package io.beamline.runners.monitor;

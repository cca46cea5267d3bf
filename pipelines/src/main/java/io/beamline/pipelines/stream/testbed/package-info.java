/**
 * {@code beamline stream testbed start|status|stop}: the streaming workflow's agents (the embedded
 * Kafka broker, the monitor, {@code stream process}, {@code stream daq}) brought up together in the
 * background on one machine, watched by a supervisor JVM and described in {@code
 * <dir>/testbed.json}. The agents are listed once, in {@code TestbedAgents}. Users' documentation:
 * {@code docs/stream.md}.
 */
package io.beamline.pipelines.stream.testbed;

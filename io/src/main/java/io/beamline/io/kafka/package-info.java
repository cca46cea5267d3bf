/**
 * Kafka plumbing: an embedded single-node KRaft broker run from the bundled Kafka jars in a child
 * JVM ({@link io.beamline.io.kafka.EmbeddedKafka}) and a fast reachability check for external
 * brokers ({@link io.beamline.io.kafka.KafkaPreflight}).
 */
package io.beamline.io.kafka;

/**
 * Multi-modal sensor events and the seeded synthetic devices that produce them.
 *
 * <p>{@link io.beamline.io.sensors.SensorEvent} is one batch of samples from one sensor, encoded
 * for Kafka by {@link io.beamline.io.sensors.SensorEventCodec} and for Beam by {@link
 * io.beamline.io.sensors.SensorEventCoder}; {@link io.beamline.io.sensors.Topics} names its topic.
 * A device is one {@link io.beamline.io.sensors.SensorDriver} class; {@link
 * io.beamline.io.sensors.Drivers#standard()} lists the synthetic ones (EEG, audio, video, EDA,
 * fNIRS, respiration, ECG, phone). {@link io.beamline.io.sensors.FaultInjection} drops and jitters
 * events, seeded, and counts exactly what it did.
 */
package io.beamline.io.sensors;

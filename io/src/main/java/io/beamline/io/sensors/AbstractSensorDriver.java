package io.beamline.io.sensors;

/**
 * What every driver shares: its device name, modality, unit, sensor id and sample rate, held once
 * here so a new device class only supplies its channels and its {@link SignalGenerator}.
 */
public abstract class AbstractSensorDriver implements SensorDriver {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String modality;
  private final String unit;

  /** The sensor id, checked against Kafka's topic-name rules. */
  protected final String sensorId;

  /** Samples per second, as given to the constructor. */
  protected final double rate;

  /**
   * @param name device model name, e.g. {@code synthetic-eeg}
   * @param modality topic part, e.g. {@code eeg}
   * @param unit physical unit of the samples
   * @param sensorId sensor id (topic part: letters, digits, '_' and '-')
   * @param rate samples per second; subclasses check their own valid range
   */
  protected AbstractSensorDriver(
      String name, String modality, String unit, String sensorId, double rate) {
    this.name = name;
    this.modality = modality;
    this.unit = unit;
    this.sensorId = Topics.checkPart("sensorId", sensorId, false);
    this.rate = rate;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String modality() {
    return modality;
  }

  @Override
  public final String unit() {
    return unit;
  }

  @Override
  public final String sensorId() {
    return sensorId;
  }

  @Override
  public final double sampleRate() {
    return rate;
  }
}

package io.beamline.io.sensors;

import java.util.List;

/**
 * The standard set of synthetic devices, one per modality, with sensor ids {@code <modality>01}.
 */
public final class Drivers {
  private Drivers() {}

  /**
   * EEG 250 Hz x 32, audio 16 kHz x 1, video 30 fps 64 x 64 RGB, EDA 32 Hz, fNIRS 10 Hz x 16,
   * respiration 25 Hz, ECG 250 Hz, phone 1 Hz x 3.
   */
  public static List<SensorDriver> standard() {
    return List.of(
        new EegDriver("eeg01"),
        new AudioDriver("audio01"),
        new VideoDriver("video01"),
        new EdaDriver("eda01"),
        new FnirsDriver("fnirs01"),
        new RespirationDriver("respiration01"),
        new EcgDriver("ecg01"),
        new PhoneDriver("phone01"));
  }
}

package io.beamline.pipelines.regions;

import java.io.Serializable;

/**
 * What the commit of the mixed EEG hears about: the plan ({@code part} -1: how many {@code parts},
 * the item's {@code fingerprint}) and each part's end ({@code samples} mixed, or its {@code
 * error}).
 *
 * @param part the part, or -1 for the plan
 * @param parts the number of parts (plan only, else -1)
 * @param samples EEG samples the part mixed
 * @param fingerprint the EEG item's fingerprint (plan only), or null
 * @param error why the part failed, or null
 */
record EegEvent(int part, int parts, int samples, String fingerprint, String error)
    implements Serializable {

  /** The plan: {@code parts} parts make the item with {@code fingerprint}. */
  static EegEvent plan(int parts, String fingerprint) {
    return new EegEvent(-1, parts, 0, fingerprint, null);
  }

  /** Part {@code part} mixed {@code samples} samples. */
  static EegEvent mixed(int part, int samples) {
    return new EegEvent(part, -1, samples, null, null);
  }

  /** Part {@code part} failed with {@code error}. */
  static EegEvent failed(int part, String error) {
    return new EegEvent(part, -1, 0, null, error);
  }

  boolean isPlan() {
    return part < 0;
  }
}

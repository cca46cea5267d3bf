package io.beamline.pipelines.constellation;

import io.beamline.transforms.sync.StreamSync;
import java.io.Serializable;
import java.util.Map;

/**
 * One sensor's stream after sync: on the session grid (point {@code k} at {@code k / rate} s from
 * the session start), gaps flagged, with its sync figures.
 */
final class AlignedStream implements Serializable {
  private static final long serialVersionUID = 1L;

  final String modality;
  final String sensorId;
  final String deviceId;
  final String unit;
  final double rate;
  final int channels;
  final Map<String, String> meta;

  /** {@code samples x channels} floats with NaN at gaps, or null for video. */
  final float[] floats;

  /** {@code samples x channels} bytes (video frames), or null. */
  final byte[] bytes;

  final boolean[] gap;
  final StreamSync.Report report;

  AlignedStream(
      String modality,
      String sensorId,
      String deviceId,
      String unit,
      double rate,
      int channels,
      Map<String, String> meta,
      StreamSync.Result r) {
    this.modality = modality;
    this.sensorId = sensorId;
    this.deviceId = deviceId;
    this.unit = unit;
    this.rate = rate;
    this.channels = channels;
    this.meta = Map.copyOf(meta);
    this.floats = r.floats();
    this.bytes = r.bytes();
    this.gap = r.gap();
    this.report = r.report();
  }

  int samples() {
    return gap.length;
  }

  boolean isVideo() {
    return bytes != null;
  }

  int frameHeight() {
    return Integer.parseInt(meta.getOrDefault("height", "0"));
  }

  int frameWidth() {
    return Integer.parseInt(meta.getOrDefault("width", "0"));
  }
}

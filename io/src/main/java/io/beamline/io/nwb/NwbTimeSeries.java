package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * One NWB {@code TimeSeries}: {@code data} of shape {@code (samples, channels)} as {@code float32}
 * with a {@code unit}, timed either by a constant rate ({@code starting_time} + {@code rate}) or by
 * one timestamp per sample (seconds relative to the file's {@code timestamps_reference_time}).
 * Immutable; arrays are copied in.
 *
 * <pre>{@code
 * NwbTimeSeries eeg = NwbTimeSeries.ofRate("eeg", samples, 8, "volts", 0.0, 250.0)
 *     .withDescription("EEG, 8 channels, 10-20 montage");
 * }</pre>
 */
public final class NwbTimeSeries implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final float[] data;
  private final int channels;
  private final String unit;
  private final double startingTime;
  private final double rate;
  private final double[] timestamps;
  private final String description;
  private final String comments;

  private NwbTimeSeries(
      String name,
      float[] data,
      int channels,
      String unit,
      double startingTime,
      double rate,
      double[] timestamps,
      String description,
      String comments) {
    this.name = name;
    this.data = data;
    this.channels = channels;
    this.unit = unit;
    this.startingTime = startingTime;
    this.rate = rate;
    this.timestamps = timestamps;
    this.description = description;
    this.comments = comments;
  }

  /**
   * A regularly sampled series.
   *
   * @param name the group name in {@code acquisition}: non-empty, no {@code /}, not {@code .}
   * @param data row-major {@code (samples, channels)}, at least one sample
   * @param channels >= 1, must divide {@code data.length}
   * @param unit SI unit of the values after conversion, e.g. {@code volts}
   * @param startingTime seconds from {@code timestamps_reference_time} to the first sample
   * @param rate samples per second, > 0
   */
  public static NwbTimeSeries ofRate(
      String name, float[] data, int channels, String unit, double startingTime, double rate) {
    checkCommon(name, data, channels, unit);
    checkArgument(Double.isFinite(startingTime), "series '%s': startingTime must be finite", name);
    checkArgument(
        rate > 0 && Double.isFinite(rate), "series '%s': rate must be > 0, got %s", name, rate);
    return new NwbTimeSeries(
        name,
        data.clone(),
        channels,
        unit,
        startingTime,
        rate,
        null,
        "no description",
        "no comments");
  }

  /**
   * An irregularly sampled series with one timestamp (seconds, non-decreasing, finite) per sample.
   */
  public static NwbTimeSeries ofTimestamps(
      String name, float[] data, int channels, String unit, double[] timestamps) {
    checkCommon(name, data, channels, unit);
    int samples = data.length / channels;
    checkArgument(
        timestamps != null && timestamps.length == samples,
        "series '%s': %s timestamps for %s samples; give one per sample",
        name,
        timestamps == null ? 0 : timestamps.length,
        samples);
    for (int i = 0; i < timestamps.length; i++) {
      checkArgument(
          Double.isFinite(timestamps[i]) && (i == 0 || timestamps[i] >= timestamps[i - 1]),
          "series '%s': timestamps[%s]=%s must be finite and non-decreasing",
          name,
          i,
          timestamps[i]);
    }
    return new NwbTimeSeries(
        name,
        data.clone(),
        channels,
        unit,
        Double.NaN,
        Double.NaN,
        timestamps.clone(),
        "no description",
        "no comments");
  }

  private static void checkCommon(String name, float[] data, int channels, String unit) {
    checkArgument(
        name != null
            && !name.isEmpty()
            && !name.contains("/")
            && !name.equals(".")
            && !name.contains("\0"),
        "series name '%s' must be non-empty without '/' or NUL",
        name);
    checkArgument(data != null, "series '%s': data must not be null", name);
    checkArgument(channels >= 1, "series '%s': channels must be >= 1, got %s", name, channels);
    checkArgument(
        data.length > 0 && data.length % channels == 0,
        "series '%s': data length %s must be a positive multiple of channels=%s",
        name,
        data.length,
        channels);
    checkArgument(unit != null && !unit.isEmpty(), "series '%s': unit must be non-empty", name);
  }

  /** The series' {@code description} attribute; default {@code no description} (NWB's). */
  public NwbTimeSeries withDescription(String description) {
    checkArgument(description != null, "series '%s': description must not be null", name);
    return new NwbTimeSeries(
        name, data, channels, unit, startingTime, rate, timestamps, description, comments);
  }

  /** The series' {@code comments} attribute; default {@code no comments} (NWB's). */
  public NwbTimeSeries withComments(String comments) {
    checkArgument(comments != null, "series '%s': comments must not be null", name);
    return new NwbTimeSeries(
        name, data, channels, unit, startingTime, rate, timestamps, description, comments);
  }

  public String name() {
    return name;
  }

  /** Row-major {@code (samples, channels)} values; the internal array, do not modify. */
  float[] data() {
    return data;
  }

  public int channels() {
    return channels;
  }

  public int samples() {
    return data.length / channels;
  }

  public String unit() {
    return unit;
  }

  /** Whether the series is timed by {@code starting_time} and {@code rate}. */
  public boolean isRegular() {
    return timestamps == null;
  }

  public double startingTime() {
    return startingTime;
  }

  public double rate() {
    return rate;
  }

  /** Per-sample timestamps (a copy), or {@code null} for a regular series. */
  public double[] timestamps() {
    return timestamps == null ? null : timestamps.clone();
  }

  public String description() {
    return description;
  }

  public String comments() {
    return comments;
  }
}

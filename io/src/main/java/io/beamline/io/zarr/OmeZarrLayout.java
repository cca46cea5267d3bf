package io.beamline.io.zarr;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * Shape and storage settings of an OME-Zarr video image; immutable.
 *
 * <p>Frames are {@code uint8} in planar C order {@code (c, y, x)}. Level 0 is full resolution; each
 * further level halves {@code y} and {@code x} (rounding up) by averaging 2x2 blocks. Every array
 * is chunked one frame per chunk: chunks {@code (1, c, 1, y_level, x_level)}.
 *
 * <pre>{@code
 * OmeZarrLayout layout = OmeZarrLayout.of(3, 64, 64).withFrameRate(30).withLevels(2);
 * }</pre>
 */
public final class OmeZarrLayout implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default zlib level for chunks. */
  public static final int DEFAULT_ZLIB_LEVEL = 5;

  private final int channels;
  private final int height;
  private final int width;
  private final double frameRate;
  private final int levels;
  private final int zlibLevel;
  private final String dimensionSeparator;
  private final String name;

  private OmeZarrLayout(
      int channels,
      int height,
      int width,
      double frameRate,
      int levels,
      int zlibLevel,
      String dimensionSeparator,
      String name) {
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.frameRate = frameRate;
    this.levels = levels;
    this.zlibLevel = zlibLevel;
    this.dimensionSeparator = dimensionSeparator;
    this.name = name;
  }

  /**
   * A layout for frames of {@code channels x height x width} pixels (each 1-65535). Defaults: 30
   * frames/s, 1 level, zlib level {@value #DEFAULT_ZLIB_LEVEL}, dimension separator {@code /}, name
   * {@code video}.
   */
  public static OmeZarrLayout of(int channels, int height, int width) {
    checkArgument(channels >= 1 && channels <= 65535, "channels must be 1-65535, got %s", channels);
    checkArgument(height >= 1 && height <= 65535, "height must be 1-65535, got %s", height);
    checkArgument(width >= 1 && width <= 65535, "width must be 1-65535, got %s", width);
    checkArgument(
        (long) channels * height * width <= Integer.MAX_VALUE - 64,
        "a frame of %s x %s x %s pixels is too large for one chunk (max 2^31 bytes)",
        channels,
        height,
        width);
    return new OmeZarrLayout(channels, height, width, 30.0, 1, DEFAULT_ZLIB_LEVEL, "/", "video");
  }

  /** Frames per second (> 0, finite); sets the {@code t} scale to {@code 1/frameRate} s. */
  public OmeZarrLayout withFrameRate(double frameRate) {
    checkArgument(
        frameRate > 0 && Double.isFinite(frameRate),
        "frameRate must be > 0 and finite, got %s",
        frameRate);
    return new OmeZarrLayout(
        channels, height, width, frameRate, levels, zlibLevel, dimensionSeparator, name);
  }

  /** Resolution levels, 1-16; default 1. */
  public OmeZarrLayout withLevels(int levels) {
    checkArgument(levels >= 1 && levels <= 16, "levels must be 1-16, got %s", levels);
    return new OmeZarrLayout(
        channels, height, width, frameRate, levels, zlibLevel, dimensionSeparator, name);
  }

  /** zlib level 0-9, or -1 for uncompressed chunks ({@code "compressor": null}); default 5. */
  public OmeZarrLayout withZlibLevel(int zlibLevel) {
    checkArgument(
        zlibLevel >= -1 && zlibLevel <= 9, "zlibLevel must be -1 (none) or 0-9, got %s", zlibLevel);
    return new OmeZarrLayout(
        channels, height, width, frameRate, levels, zlibLevel, dimensionSeparator, name);
  }

  /** Chunk key separator, {@code "/"} (nested, the NGFF 0.4 choice; default) or {@code "."}. */
  public OmeZarrLayout withDimensionSeparator(String separator) {
    checkArgument(
        "/".equals(separator) || ".".equals(separator),
        "dimensionSeparator must be \"/\" or \".\", got \"%s\"",
        separator);
    return new OmeZarrLayout(
        channels, height, width, frameRate, levels, zlibLevel, separator, name);
  }

  /** The multiscale's {@code name}; non-empty; default {@code video}. */
  public OmeZarrLayout withName(String name) {
    checkArgument(name != null && !name.isEmpty(), "name must be non-empty");
    return new OmeZarrLayout(
        channels, height, width, frameRate, levels, zlibLevel, dimensionSeparator, name);
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public double frameRate() {
    return frameRate;
  }

  public int levels() {
    return levels;
  }

  public int zlibLevel() {
    return zlibLevel;
  }

  public String dimensionSeparator() {
    return dimensionSeparator;
  }

  public String name() {
    return name;
  }

  /** Bytes of one full-resolution frame: {@code channels * height * width}. */
  public int frameBytes() {
    return channels * height * width;
  }

  /** Height of level {@code level}: {@code ceil(height / 2^level)}. */
  public int height(int level) {
    return (int) ((height + (1L << level) - 1) >> level);
  }

  /** Width of level {@code level}: {@code ceil(width / 2^level)}. */
  public int width(int level) {
    return (int) ((width + (1L << level) - 1) >> level);
  }
}

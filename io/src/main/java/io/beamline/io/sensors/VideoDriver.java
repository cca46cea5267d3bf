package io.beamline.io.sensors;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Synthetic camera: 30 fps RGB frames, 64 x 64 by default, showing a colour gradient and a white
 * disc (radius 8 px) circling the centre every 4 s, with seeded pixel noise of +-4.
 *
 * <p>Encoding: each sample is one frame of {@code height * width * 3} uint8 values in row-major
 * order with interleaved RGB ({@code (y * width + x) * 3 + colour}), carried in {@link
 * SensorEvent#bytes()}; {@link SensorEvent#meta()} holds {@code height}, {@code width} and {@code
 * pixel_format=rgb24}.
 */
public final class VideoDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;

  /** Disc orbit: radius 20 px around the centre, one turn per {@value #ORBIT_SECONDS} s. */
  static final double ORBIT_RADIUS = 20;

  static final double ORBIT_SECONDS = 4;
  static final double DISC_RADIUS = 8;

  private final int height;
  private final int width;

  /** 30 fps, 64 x 64 RGB. */
  public VideoDriver(String sensorId) {
    this(sensorId, 30, 64, 64);
  }

  /**
   * @param rate frames per second, positive
   * @param height pixels, 48..4096
   * @param width pixels, 48..4096
   */
  public VideoDriver(String sensorId, double rate, int height, int width) {
    super("synthetic-camera", "video", "uint8 rgb", sensorId, rate);
    if (!(rate > 0)) {
      throw new IllegalArgumentException("video rate must be positive, got " + rate);
    }
    if (height < 48 || height > 4096 || width < 48 || width > 4096) {
      throw new IllegalArgumentException(
          "video frame must be 48..4096 px each way, got " + height + " x " + width);
    }
    this.height = height;
    this.width = width;
  }

  /** Centre of the disc at {@code t} seconds: {@code {x, y}} in pixels. */
  public double[] discCentre(double t) {
    double a = 2 * Math.PI * t / ORBIT_SECONDS;
    return new double[] {
      width / 2.0 + ORBIT_RADIUS * Math.cos(a), height / 2.0 + ORBIT_RADIUS * Math.sin(a)
    };
  }

  @Override
  public int channels() {
    return height * width * 3;
  }

  @Override
  public Payload payload() {
    return Payload.UINT8;
  }

  @Override
  public Map<String, String> meta() {
    return Map.of(
        "height", Integer.toString(height),
        "width", Integer.toString(width),
        "pixel_format", "rgb24");
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return new SignalGenerator() {
      private long index;

      @Override
      public void next(byte[] out, int offset, int count) {
        int frame = height * width * 3;
        for (int i = 0; i < count; i++, index++) {
          double[] centre = discCentre(index / rate);
          int base = offset + i * frame;
          for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
              double dx = x + 0.5 - centre[0];
              double dy = y + 0.5 - centre[1];
              boolean disc = dx * dx + dy * dy <= DISC_RADIUS * DISC_RADIUS;
              int p = base + (y * width + x) * 3;
              for (int colour = 0; colour < 3; colour++) {
                int v;
                if (disc) {
                  v = 255 - rng.nextInt(5);
                } else {
                  int gradient =
                      colour == 0 ? 40 + 120 * y / height : colour == 1 ? 40 + 120 * x / width : 90;
                  v = gradient + rng.nextInt(9) - 4;
                }
                out[p + colour] = (byte) v;
              }
            }
          }
        }
      }
    };
  }
}

package io.beamline.pipelines.infer.aggregate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * The quick look at detections per label and time bucket written by {@code beamline infer
 * aggregate}: a CSV matrix (one row per label, one column per bucket) and a PNG line chart drawn
 * with {@code java.awt} in headless mode.
 */
public final class Quicklook {

  /** Detections of one label in one bucket. */
  public record Bucket(String label, long index, long detections) {}

  /** Chart size in pixels. */
  static final int WIDTH = 1000;

  static final int HEIGHT = 500;

  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    new Color(0xbcbd22), new Color(0x17becf)
  };

  private Quicklook() {}

  /** Colour of the {@code i}-th label (sorted by name) in the chart. */
  static Color colour(int i) {
    return PALETTE[i % PALETTE.length];
  }

  /** Counts per label (sorted) and bucket index. */
  static Map<String, Map<Long, Long>> matrix(List<Bucket> buckets) {
    Map<String, Map<Long, Long>> m = new TreeMap<>();
    for (Bucket b : buckets) {
      m.computeIfAbsent(b.label(), k -> new TreeMap<>())
          .merge(b.index(), b.detections(), Long::sum);
    }
    return m;
  }

  /** Highest bucket index, or -1 when there are no buckets. */
  static long maxIndex(List<Bucket> buckets) {
    return buckets.stream().mapToLong(Bucket::index).max().orElse(-1);
  }

  /** Column name of bucket {@code index}: {@code m} and its start in minutes ({@code m2.5}). */
  static String column(long index, double bucketMinutes) {
    return "m" + BigDecimal.valueOf(index * bucketMinutes).stripTrailingZeros().toPlainString();
  }

  /**
   * {@code label,total,m0,m1,...}: one row per label, sorted; one column per bucket from the first
   * to the last with any detection (empty buckets count 0).
   */
  public static String csv(List<Bucket> buckets, double bucketMinutes) {
    Map<String, Map<Long, Long>> m = matrix(buckets);
    long last = maxIndex(buckets);
    StringBuilder b = new StringBuilder("label,total");
    for (long i = 0; i <= last; i++) {
      b.append(',').append(column(i, bucketMinutes));
    }
    b.append('\n');
    for (Map.Entry<String, Map<Long, Long>> e : m.entrySet()) {
      b.append(csvField(e.getKey()))
          .append(',')
          .append(e.getValue().values().stream().mapToLong(Long::longValue).sum());
      for (long i = 0; i <= last; i++) {
        b.append(',').append(e.getValue().getOrDefault(i, 0L));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String csvField(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  /** Draws the chart and writes it as PNG to {@code out}. */
  public static void png(List<Bucket> buckets, double bucketMinutes, OutputStream out)
      throws IOException {
    if (!ImageIO.write(image(buckets, bucketMinutes), "png", out)) {
      throw new IOException("no PNG writer in this Java runtime");
    }
  }

  /** Plot area: left, top, right, bottom pixel bounds. */
  static final int LEFT = 80;

  static final int TOP = 50;
  static final int RIGHT = WIDTH - 200;
  static final int BOTTOM = HEIGHT - 60;

  /** The chart: one line with markers per label, x = bucket start, y = detections. */
  static BufferedImage image(List<Bucket> buckets, double bucketMinutes) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.setColor(Color.BLACK);
      g.drawString(
          "Detections per label per "
              + BigDecimal.valueOf(bucketMinutes).stripTrailingZeros().toPlainString()
              + "-minute bucket",
          LEFT,
          30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      Map<String, Map<Long, Long>> m = matrix(buckets);
      long last = Math.max(0, maxIndex(buckets));
      long maxCount = buckets.stream().mapToLong(Bucket::detections).max().orElse(0);
      long yMax = niceCeil(Math.max(1, maxCount));
      // Axes.
      g.setColor(Color.BLACK);
      g.drawLine(LEFT, BOTTOM, RIGHT, BOTTOM);
      g.drawLine(LEFT, TOP, LEFT, BOTTOM);
      FontMetrics fm = g.getFontMetrics();
      for (int t = 0; t <= 5; t++) {
        long v = yMax * t / 5;
        int y = y(v, yMax);
        g.setColor(new Color(0xdddddd));
        g.drawLine(LEFT + 1, y, RIGHT, y);
        g.setColor(Color.BLACK);
        String s = Long.toString(v);
        g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + fm.getAscent() / 2);
      }
      int xTicks = (int) Math.min(last + 1, 10);
      for (int t = 0; t < xTicks; t++) {
        long i = xTicks == 1 ? 0 : Math.round((double) t * last / (xTicks - 1));
        int x = x(i, last);
        g.drawLine(x, BOTTOM, x, BOTTOM + 4);
        String s = BigDecimal.valueOf(i * bucketMinutes).stripTrailingZeros().toPlainString();
        g.drawString(s, x - fm.stringWidth(s) / 2, BOTTOM + 18);
      }
      g.drawString("minutes from recording start", (LEFT + RIGHT) / 2 - 80, BOTTOM + 40);
      g.drawString("detections", 10, TOP - 8);
      if (m.isEmpty()) {
        g.drawString("no detections", (LEFT + RIGHT) / 2 - 40, (TOP + BOTTOM) / 2);
      }
      // One line per label; buckets without detections count 0.
      int li = 0;
      g.setStroke(new BasicStroke(2f));
      for (Map.Entry<String, Map<Long, Long>> e : m.entrySet()) {
        g.setColor(colour(li));
        List<int[]> pts = new ArrayList<>();
        for (long i = 0; i <= last; i++) {
          pts.add(new int[] {x(i, last), y(e.getValue().getOrDefault(i, 0L), yMax)});
        }
        for (int k = 1; k < pts.size(); k++) {
          g.drawLine(pts.get(k - 1)[0], pts.get(k - 1)[1], pts.get(k)[0], pts.get(k)[1]);
        }
        for (Map.Entry<Long, Long> c : e.getValue().entrySet()) {
          int x = x(c.getKey(), last);
          int y = y(c.getValue(), yMax);
          g.fillOval(x - 3, y - 3, 7, 7);
        }
        int ly = TOP + 10 + li * 18;
        if (ly < HEIGHT - 10) {
          g.fillRect(RIGHT + 20, ly - 9, 12, 12);
          g.setColor(Color.BLACK);
          long total = e.getValue().values().stream().mapToLong(Long::longValue).sum();
          g.drawString(legend(e.getKey(), total, fm, WIDTH - RIGHT - 45), RIGHT + 38, ly + 2);
        }
        li++;
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** {@code label (total)}, the label shortened with an ellipsis to fit {@code width} pixels. */
  static String legend(String label, long total, FontMetrics fm, int width) {
    String count = String.format(Locale.ROOT, " (%d)", total);
    String name = label;
    while (name.length() > 1 && fm.stringWidth(name + count) > width) {
      name = name.substring(0, name.length() - 2) + "…";
    }
    return name + count;
  }

  /** Pixel column of bucket {@code i} (the bucket's centre when there is only one). */
  static int x(long i, long last) {
    if (last == 0) {
      return (LEFT + RIGHT) / 2;
    }
    return LEFT + 10 + (int) Math.round((double) i * (RIGHT - LEFT - 20) / last);
  }

  /** Pixel row of count {@code v} on an axis from 0 to {@code yMax}. */
  static int y(long v, long yMax) {
    return BOTTOM - (int) Math.round((double) v * (BOTTOM - TOP) / yMax);
  }

  /** Top of the count axis: 5, or the smallest of 1, 2, 5 x 10^k (k >= 1) that is >= {@code v}. */
  static long niceCeil(long v) {
    if (v <= 5) {
      return 5;
    }
    for (long p = 10; ; p *= 10) {
      for (long f : new long[] {1, 2, 5}) {
        if (f * p >= v) {
          return f * p;
        }
      }
    }
  }
}

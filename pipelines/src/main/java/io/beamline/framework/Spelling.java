package io.beamline.framework;

import java.util.Collection;
import java.util.Locale;

/**
 * The one place that decides what a mistyped name was meant to be: flags on the command line, keys
 * in config and training files ("did you mean --start-region?").
 */
public final class Spelling {
  private Spelling() {}

  /**
   * The candidate closest to {@code typed} (case, {@code -} and {@code _} ignored), or null when
   * none is within {@code max(2, length / 4)} edits.
   */
  public static String nearest(String typed, Collection<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    String t = plain(typed);
    for (String c : candidates) {
      int d = distance(t, plain(c));
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return bestD <= Math.max(2, typed.length() / 4) ? best : null;
  }

  /**
   * Edit distance with swapped neighbours as one edit (optimal string alignment): {@code
   * regoin}/{@code region} is 1.
   */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }

  private static String plain(String s) {
    return s.toLowerCase(Locale.ROOT).replace('-', '_');
  }
}

package io.beamline.pipelines.constellation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How long after its close on the session clock each window's three live outputs (report, Parquet
 * file, shard) landed, from the files' times: what the streaming tests check.
 *
 * @param worstMs the latest output's lag behind its window's close
 * @param text every output's lag, for a failure message
 */
public record WindowLags(long worstMs, String text) {
  /**
   * The lags of windows {@code 0..windows-1} of {@code windowMs} each, under the session's raw and
   * gold directories; window {@code w} closed at {@code firstCloseMs + w * windowMs} (the session
   * start plus the ingest's clock offset plus one window).
   */
  public static WindowLags of(Path raw, Path gold, long firstCloseMs, long windowMs, int windows)
      throws Exception {
    StringBuilder text = new StringBuilder();
    long worst = Long.MIN_VALUE;
    for (int w = 0; w < windows; w++) {
      long closeMs = firstCloseMs + w * windowMs;
      for (Path f :
          List.of(
              raw.resolve(String.format("sync_windows/window-%06d.jsonl", w)),
              raw.resolve(String.format("timeseries/timeseries-w%06d.parquet", w)),
              gold.resolve(String.format("shard-%06d.tar", w)))) {
        long lag = Files.getLastModifiedTime(f).toMillis() - closeMs;
        text.append(f.getFileName()).append(' ').append(lag).append(" ms; ");
        worst = Math.max(worst, lag);
      }
    }
    return new WindowLags(worst, text.toString());
  }
}

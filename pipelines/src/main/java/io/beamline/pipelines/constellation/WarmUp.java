package io.beamline.pipelines.constellation;

import io.beamline.io.files.AtomicFiles;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.webdataset.ShardWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streaming: runs one window's path (align, sync report line, Parquet file, WebDataset shard) on
 * the session's first window of packets in a temporary directory before the session starts, so that
 * the first real window does not pay for loading and compiling it (measured: its Parquet file
 * landed ~3 s after the window's close without this, later windows' within 0.6 s).
 */
final class WarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

  private WarmUp() {}

  static void windowOutputs(SessionPlan plan) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("constellation-warm-up");
      List<AlignedSlice> slices = new ArrayList<>();
      List<WindowSamples.WindowPart> parts = new ArrayList<>();
      StringBuilder report = new StringBuilder();
      for (SensorDriver d : plan.drivers) {
        long packets = StreamingWindows.packetRange(plan, d, 0)[1];
        List<SensorEvent> events = new ArrayList<>();
        Iterator<SensorEvent> it = plan.events(d);
        while (it.hasNext() && events.size() < packets) {
          events.add(it.next());
        }
        AlignedSlice s = AlignStreams.alignWindow(plan, d, 0, 0, events);
        slices.add(s);
        parts.add(new WindowSamples.WindowPart(s.stream(), 0, s.stream().samples(), 0));
        report.append(SyncReports.line(SyncReports.StreamFigures.of(s), plan));
      }
      AtomicFiles.writeString(dir.resolve("window.jsonl"), report.toString());
      ParquetTableIO.writeRecords(
          TimeSeriesRows.SCHEMA,
          TimeSeriesRows.PREFIX,
          avro -> slices.stream().flatMap(s -> TimeSeriesRows.records(plan, s, avro)).iterator(),
          dir.resolve("window.parquet"));
      try (ShardWriter w = new ShardWriter(dir, "shard-%06d.tar", 1, Long.MAX_VALUE)) {
        w.write(WindowSamples.sample(plan, 0, parts));
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug(
          "warm-up of the window outputs failed (the first window pays for it): {}", e.toString());
    } finally {
      if (dir != null) {
        try {
          AtomicFiles.deleteTree(dir);
        } catch (IOException e) {
          LOG.debug("could not remove {}: {}", dir, e.toString());
        }
      }
    }
  }
}

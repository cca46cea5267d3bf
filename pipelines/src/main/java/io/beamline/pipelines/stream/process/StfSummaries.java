package io.beamline.pipelines.stream.process;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfFile;
import io.beamline.io.swf.StfHeader;
import io.beamline.io.swf.StfWriter;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-STF summary: verifying and decoding one STF file, its Parquet row ({@link #SCHEMA}), and
 * committing it as one item of the commit protocol: {@code stf/run=<run>/<stf name>.parquet} under
 * its final name first, then the commit record (status {@code failed} with the reason for an STF
 * that is missing, truncated or fails its checksum; its Parquet row says so too).
 */
final class StfSummaries {
  private static final Logger LOG = LoggerFactory.getLogger(StfSummaries.class);

  /** Commit-record detail of an STF recorded as failed without its {@code stf_gen}. */
  private static final String NOT_ANNOUNCED = "not_announced";

  /** Columns of a per-STF summary (and of a run's table of them). */
  static final Schema SCHEMA =
      Schema.builder()
          .addInt64Field("run")
          .addInt32Field("sequence")
          .addStringField("filename")
          .addInt32Field("tf_count")
          .addInt64Field("hits")
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addBooleanField("checksum_ok")
          .addStringField("status")
          .addStringField("reason")
          .build();

  private StfSummaries() {}

  /** Where the summary of {@code filename} of {@code run} goes. */
  static Path summaryFile(Path root, long run, String filename) {
    String base =
        filename.endsWith(".stf") ? filename.substring(0, filename.length() - 4) : filename;
    return root.resolve("stf").resolve("run=" + run).resolve(base + ".parquet");
  }

  /**
   * The outcome of {@code in}'s STF: from its commit record when an earlier attempt committed it
   * (nothing is redone), else verified, decoded and committed now.
   */
  static StfOutcome processOnce(ProcessSettings s, Inbound in) throws IOException {
    WorkflowMessage m = in.message();
    String filename = m.string("filename");
    ItemCommits commits = s.commits();
    Optional<CommitRecord> done =
        commits.read(filename).filter(r -> !r.succeeded() || commits.outputsPresent(r));
    if (done.isPresent()) {
      return fromRecord(done.get(), m, in.ack());
    }
    StfOutcome o = examine(m, in.ack());
    commit(s, o);
    return o;
  }

  /**
   * Commits {@code o}: its Parquet row under its final name, then its record (a failure record with
   * the reason when the STF failed).
   */
  static void commit(ProcessSettings s, StfOutcome o) throws IOException {
    Path target = summaryFile(s.root(), o.run(), o.filename());
    ItemCommit item = s.commits().begin(o.filename());
    details(o).forEach(item::detail);
    if (o.source() == null) {
      // Recorded without its stf_gen (never announced): no stf_processed answers it on the way.
      item.detail(NOT_ANNOUNCED, true);
    }
    if (o.processed()) {
      ParquetTableIO.writeFile(SCHEMA, "stf_summary", List.of(row(o)), item.stage(target));
      item.commit(s.runId());
    } else {
      // The failed STF's row goes under its final name first; the failure record vouches for it.
      Files.createDirectories(target.getParent());
      Path tmp = AtomicFiles.temporarySibling(target);
      ParquetTableIO.writeFile(SCHEMA, "stf_summary", List.of(row(o)), tmp);
      AtomicFiles.moveIntoPlace(tmp, target);
      item.fail(s.runId(), o.reason());
    }
  }

  /**
   * Runs the per-STF path once, outside the pipeline, on a small synthetic STF in a temporary
   * directory that is removed afterwards: verify and decode it, write its Parquet row, encode its
   * {@code stf_processed}. Loading and compiling that path made the first STF of a run the slowest
   * by seconds (the p99 of the STF -> histogram latency); a failure here only logs.
   */
  static void warmUp() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("stream-process-warm-up");
      java.time.Instant now = java.time.Instant.now();
      long start = now.getEpochSecond() * 1_000_000_000L + now.getNano();
      StfWriter.Written w =
          StfWriter.writeSynthetic(
              dir, new StfHeader(1, 1, 20, start, StfHeader.DEFAULT_TF_DURATION_NANOS, 7, 1), 5);
      WorkflowMessage m =
          w.announce(
              WorkflowMessage.of(
                  MsgType.STF_GEN,
                  new WorkflowMessage.Envelope("warm-up", "warm-up", "warm-up"),
                  1,
                  now,
                  0,
                  "run",
                  "physics"));
      StfOutcome o = examine(m, new Ack("warm-up", 0, 0));
      ParquetTableIO.writeFile(SCHEMA, "stf_summary", List.of(row(o)), dir.resolve("w.parquet"));
      WorkflowMessages.encodeString(m);
    } catch (IOException | RuntimeException e) {
      LOG.debug("warm-up of the STF path failed (the first STF pays for it): {}", e.toString());
    } finally {
      if (dir != null) {
        try {
          AtomicFiles.deleteTree(dir);
        } catch (IOException e) {
          LOG.debug("warm-up directory {} not removed: {}", dir, e.toString());
        }
      }
    }
  }

  /** Verifies and decodes the STF {@code m} announces; never throws for a bad file. */
  static StfOutcome examine(WorkflowMessage m, Ack ack) {
    String filename = m.string("filename");
    Path path = Path.of(m.string("path"));
    int announcedTfs = (int) m.integer("tf_count");
    long start = m.instant("start").toEpochMilli();
    long end = m.instant("end").toEpochMilli();
    int sequence = (int) m.integer("sequence");
    if (!Files.isRegularFile(path)) {
      return failed(m, ack, announcedTfs, start, end, false, "STF file " + path + " is missing");
    }
    try {
      // A truncated file fails here with the sizes, before its offset table is even read.
      long size = Files.size(path);
      if (size != m.integer("size_bytes")) {
        return failed(
            m,
            ack,
            announcedTfs,
            start,
            end,
            false,
            "STF file " + path + ": size " + size + " bytes, announced " + m.integer("size_bytes"));
      }
    } catch (IOException e) {
      return failed(m, ack, announcedTfs, start, end, false, Runs.oneLine(e));
    }
    try (StfFile f = StfFile.open(path)) {
      StfFile.Verification v = f.verify(m.integer("size_bytes"), m.string("checksum"));
      if (!v.ok()) {
        return failed(
            m, ack, announcedTfs, start, end, false, "STF file " + path + ": " + v.reason());
      }
      StfHeader h = f.header();
      if (h.run() != m.runId() || h.sequence() != sequence || h.tfCount() != announcedTfs) {
        return failed(
            m,
            ack,
            announcedTfs,
            start,
            end,
            true,
            String.format(
                "STF file %s holds run %d sequence %d with %d TFs; stf_gen announced run %d"
                    + " sequence %d with %d TFs",
                path, h.run(), h.sequence(), h.tfCount(), m.runId(), sequence, announcedTfs));
      }
      long hits = 0;
      for (int i = 0; i < h.tfCount(); i++) {
        hits += f.frame(i).hits();
      }
      return new StfOutcome(
          m.runId(),
          sequence,
          filename,
          path.toString(),
          h.tfCount(),
          hits,
          h.start().toEpochMilli(),
          h.end().toEpochMilli(),
          true,
          StfOutcome.PROCESSED,
          "",
          false,
          m,
          ack);
    } catch (IOException | RuntimeException e) {
      return failed(m, ack, announcedTfs, start, end, false, Runs.oneLine(e));
    }
  }

  private static StfOutcome failed(
      WorkflowMessage m,
      Ack ack,
      int tfCount,
      long start,
      long end,
      boolean checksumOk,
      String reason) {
    return new StfOutcome(
        m.runId(),
        (int) m.integer("sequence"),
        m.string("filename"),
        m.string("path"),
        tfCount,
        0,
        start,
        end,
        checksumOk,
        StfOutcome.FAILED,
        reason,
        false,
        m,
        ack);
  }

  /** The values a commit record keeps, enough to answer a redelivered message without redoing. */
  static Map<String, Object> details(StfOutcome o) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("run", o.run());
    d.put("sequence", o.sequence());
    d.put("tf_count", o.tfCount());
    d.put("hits", o.hits());
    d.put("window_start_ms", o.startMs());
    d.put("window_end_ms", o.endMs());
    d.put("checksum_ok", o.checksumOk());
    d.put("status", o.status());
    d.put("reason", o.reason());
    return d;
  }

  /**
   * Whether the STF of record {@code r} is answered ({@code stf_processed} sent) by the process of
   * run {@code runId} in its own course: that process committed it from its {@code stf_gen}.
   */
  static boolean answeredBy(CommitRecord r, String runId) {
    return runId.equals(r.runId()) && !Boolean.TRUE.equals(r.details().get(NOT_ANNOUNCED));
  }

  /** The outcome an earlier attempt committed, answering {@code m} again (null: answering none). */
  static StfOutcome fromRecord(CommitRecord r, WorkflowMessage m, Ack ack) {
    Map<String, Object> d = r.details();
    return new StfOutcome(
        number(d, "run"),
        (int) number(d, "sequence"),
        r.item(),
        m == null ? "" : m.string("path"),
        (int) number(d, "tf_count"),
        number(d, "hits"),
        number(d, "window_start_ms"),
        number(d, "window_end_ms"),
        Boolean.TRUE.equals(d.get("checksum_ok")),
        String.valueOf(d.get("status")),
        String.valueOf(d.getOrDefault("reason", "")),
        true,
        m,
        ack);
  }

  static long number(Map<String, Object> d, String key) {
    Object v = d.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalStateException("commit record detail " + key + " is missing: " + v);
    }
    return n.longValue();
  }

  /** The summary row of {@code o}. */
  static Row row(StfOutcome o) {
    return Row.withSchema(SCHEMA)
        .addValues(
            o.run(),
            o.sequence(),
            o.filename(),
            o.tfCount(),
            o.hits(),
            new Instant(o.startMs()),
            new Instant(o.endMs()),
            o.checksumOk(),
            o.status(),
            o.reason())
        .build();
  }
}

package io.beamline.io.samples;

import io.beamline.io.failures.Failure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Reads scalar samples from CSV files with the header {@code sensor_id,time_s,value}.
 *
 * <p>{@code time_s} is seconds since the Unix epoch (UTC, fractional allowed); each sample is
 * emitted with that event time. Lines that cannot be parsed become {@link Failure}s on {@link
 * #FAILURES} (file and line number in the record); they are never dropped silently. A file whose
 * first line is not the header is one failure for the whole file.
 *
 * <pre>{@code
 * PCollectionTuple parsed = p.apply(SampleCsvIO.read().from("recordings/*.csv"));
 * PCollection<Sample> samples = parsed.get(SampleCsvIO.SAMPLES);
 * }</pre>
 */
public final class SampleCsvIO {
  /** The expected header line. */
  public static final String HEADER = "sensor_id,time_s,value";

  /** Parsed samples. */
  public static final TupleTag<Sample> SAMPLES = new TupleTag<Sample>() {};

  /** Lines or files that could not be parsed. */
  public static final TupleTag<Failure> FAILURES = new TupleTag<Failure>() {};

  private SampleCsvIO() {}

  /** Reads files matching a pattern; {@link Read#from(String)} is required. */
  public static Read read() {
    return new Read(null);
  }

  /** Reads already-matched files. */
  public static ReadFiles readFiles() {
    return new ReadFiles();
  }

  /** Reads the files matching a glob; an empty match is an error naming the pattern. */
  public static final class Read extends PTransform<PBegin, PCollectionTuple> {
    private final String filepattern;

    private Read(String filepattern) {
      this.filepattern = filepattern;
    }

    /** File pattern (local path, glob, or Beam file system URI). Required. */
    public Read from(String filepattern) {
      if (filepattern == null || filepattern.isBlank()) {
        throw new IllegalArgumentException("from(filepattern): must be a non-empty path or glob");
      }
      return new Read(filepattern);
    }

    @Override
    public PCollectionTuple expand(PBegin input) {
      if (filepattern == null) {
        throw new IllegalArgumentException("SampleCsvIO.read(): from(filepattern) is required");
      }
      return input
          .apply(
              "MatchFiles",
              FileIO.match()
                  .filepattern(filepattern)
                  .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
          .apply("ReadMatches", FileIO.readMatches())
          .apply("ReadFiles", readFiles());
    }
  }

  /** Parses every line of each file. */
  public static final class ReadFiles
      extends PTransform<PCollection<FileIO.ReadableFile>, PCollectionTuple> {
    private ReadFiles() {}

    @Override
    public PCollectionTuple expand(PCollection<FileIO.ReadableFile> files) {
      PCollectionTuple out =
          files.apply(
              "ParseCsvLines",
              ParDo.of(new ParseFileFn()).withOutputTags(SAMPLES, TupleTagList.of(FAILURES)));
      out.get(SAMPLES).setCoder(SampleCoder.of());
      return out;
    }
  }

  static final class ParseFileFn extends DoFn<FileIO.ReadableFile, Sample> {
    private final Counter parsed = Metrics.counter(SampleCsvIO.class, "samples_parsed");
    private final Counter rejected = Metrics.counter(SampleCsvIO.class, "lines_rejected");

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      String source = file.getMetadata().resourceId().toString();
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(
                  Channels.newInputStream(file.open()), StandardCharsets.UTF_8))) {
        String header = reader.readLine();
        if (header == null || !HEADER.equals(stripBom(header).trim())) {
          rejected.inc();
          out.get(FAILURES)
              .output(
                  new Failure(
                      source,
                      "line 1",
                      "ParseCsvLines",
                      "expected header '"
                          + HEADER
                          + "', got '"
                          + (header == null ? "<empty file>" : abbreviate(header))
                          + "'; fix the header or the file"));
          return;
        }
        String line;
        long lineNo = 1;
        while ((line = reader.readLine()) != null) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          String problem = null;
          Sample sample = null;
          String[] parts = line.split(",", -1);
          if (parts.length != 3) {
            problem = "expected 3 fields (" + HEADER + "), got " + parts.length;
          } else if (parts[0].isBlank()) {
            problem = "sensor_id is empty";
          } else {
            try {
              double t = Double.parseDouble(parts[1].trim());
              double v = Double.parseDouble(parts[2].trim());
              if (!Double.isFinite(t) || !Double.isFinite(v)) {
                problem = "time_s and value must be finite numbers";
              } else {
                sample = new Sample(parts[0].trim(), Math.round(t * 1e6), v);
              }
            } catch (NumberFormatException e) {
              problem = "time_s and value must be numbers, got '" + abbreviate(line) + "'";
            }
          }
          if (sample != null) {
            parsed.inc();
            out.get(SAMPLES)
                .outputWithTimestamp(sample, new Instant(Math.floorDiv(sample.timeMicros(), 1000)));
          } else {
            rejected.inc();
            out.get(FAILURES)
                .output(new Failure(source, "line " + lineNo, "ParseCsvLines", problem));
          }
        }
      }
    }

    private static String stripBom(String s) {
      return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static String abbreviate(String s) {
      return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
  }
}

package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes a PCollection of {@link NwbTimeSeries} into one NWB file, see {@link NwbWriter}.
 *
 * <p>All series are gathered into one group and written by one worker, in name order, so the file
 * does not depend on the runner. The output is the file's path. An empty input writes no file
 * (there is no group to write from).
 *
 * <pre>{@code
 * series.apply(NwbIO.write(header).to(rawDir + "/subj_sess_eeg.nwb"));
 * }</pre>
 */
public final class NwbIO {
  private NwbIO() {}

  /** A writer for a file with the given header fields; {@link Write#to} is required. */
  public static Write write(NwbFile file) {
    checkArgument(file != null, "file must not be null");
    return new Write(file, null);
  }

  /** The writer; immutable. */
  public static final class Write
      extends PTransform<PCollection<NwbTimeSeries>, PCollection<String>> {
    private final NwbFile file;
    private final String path;

    private Write(NwbFile file, String path) {
      this.file = file;
      this.path = path;
    }

    /** Local path of the {@code .nwb} file; replaced if present; required. */
    public Write to(String path) {
      checkArgument(path != null && !path.isEmpty(), "path must be a non-empty file path");
      return new Write(file, path);
    }

    /** Replaces the file-level fields. */
    public Write withFile(NwbFile file) {
      checkArgument(file != null, "file must not be null");
      return new Write(file, path);
    }

    @Override
    public PCollection<String> expand(PCollection<NwbTimeSeries> series) {
      checkArgument(path != null, "NwbIO.write() needs to(path)");
      return series
          .apply("KeyAllToOneFile", WithKeys.<Void, NwbTimeSeries>of((Void) null))
          .setCoder(KvCoder.of(VoidCoder.of(), SerializableCoder.of(NwbTimeSeries.class)))
          .apply("GatherSeries", GroupByKey.create())
          .apply("WriteNwbFile", ParDo.of(new WriteFileFn(file, path)))
          .setCoder(StringUtf8Coder.of());
    }
  }

  /** Writes one NWB file from all series of the group. */
  static final class WriteFileFn extends DoFn<KV<Void, Iterable<NwbTimeSeries>>, String> {
    private final NwbFile file;
    private final String path;

    WriteFileFn(NwbFile file, String path) {
      this.file = file;
      this.path = path;
    }

    @ProcessElement
    public void process(
        @Element KV<Void, Iterable<NwbTimeSeries>> group, OutputReceiver<String> out)
        throws Exception {
      List<NwbTimeSeries> series = new ArrayList<>();
      group.getValue().forEach(series::add);
      NwbWriter.write(Path.of(path), file, series);
      out.output(path);
    }
  }
}

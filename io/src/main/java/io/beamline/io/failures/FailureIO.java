package io.beamline.io.failures;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.beamline.io.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes {@link Failure}s as JSON lines ({@code {"source":..,"item":..,"step":..,"error":..}}), one
 * file set per output directory, so a run's rejected items can be inspected with {@code jq} or
 * {@code read_json_auto} in DuckDB.
 */
public final class FailureIO {
  private FailureIO() {}

  /** Returns a writer; {@link Write#to(String)} is required; the prefix defaults to "failures". */
  public static Write write() {
    return new Write(null, "failures");
  }

  /** Formats one failure as a single JSON line. */
  public static String toJson(Failure f) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("source", f.source);
    m.put("item", f.item);
    m.put("step", f.step);
    m.put("error", f.error);
    try {
      return Json.MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always serialisable", e);
    }
  }

  /** The writer. */
  public static final class Write extends PTransform<PCollection<Failure>, WriteFilesResult<Void>> {
    private final String directory;
    private final String prefix;

    private Write(String directory, String prefix) {
      this.directory = directory;
      this.prefix = prefix;
    }

    /** Output directory. Required. */
    public Write to(String directory) {
      checkArgument(directory != null && !directory.isBlank(), "to(directory): must be non-empty");
      return new Write(directory, prefix);
    }

    /** File prefix; default "failures". */
    public Write withPrefix(String prefix) {
      checkArgument(
          prefix != null && prefix.matches("[A-Za-z0-9_.-]+"),
          "withPrefix(prefix): must match [A-Za-z0-9_.-]+, got '%s'",
          prefix);
      return new Write(directory, prefix);
    }

    @Override
    public WriteFilesResult<Void> expand(PCollection<Failure> input) {
      checkArgument(directory != null, "FailureIO.write(): to(directory) is required");
      return input
          .apply("FormatJson", MapElements.via(new ToJsonFn()))
          .apply(
              "WriteJsonLines",
              FileIO.<String>write()
                  .via(TextIO.sink())
                  .to(directory)
                  .withPrefix(prefix)
                  .withSuffix(".jsonl")
                  .withNumShards(1));
    }
  }

  static final class ToJsonFn extends SimpleFunction<Failure, String> {
    @Override
    public String apply(Failure f) {
      return toJson(f);
    }
  }
}

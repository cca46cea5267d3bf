package io.beamline.pipelines.demo;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.Inputs;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.UserInputException;
import io.beamline.framework.module.Module;
import io.beamline.framework.run.FailureRecords;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.samples.Sample;
import io.beamline.io.samples.SampleCsvIO;
import io.beamline.transforms.signal.WindowSummary;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * The smallest complete Beamline pipeline, runnable with no input and no external service: sensor
 * samples (seeded synthetic ones, or a CSV file) are summarised per sensor over fixed event-time
 * windows and written as a Parquet table.
 *
 * <p>The graph is three modules: {@link SyntheticSamplesModule} (or the CSV reader), {@link
 * SummariseWindowsModule} and {@link WriteWindowStatsModule}.
 *
 * <p>Outputs under {@code <output-dir>/demo/}: {@code window_stats/window_stats-*.parquet} (schema
 * {@link WindowSummary#SCHEMA}) and, when reading CSV, {@code failures/failures-*.jsonl} with one
 * record per rejected line.
 *
 * <pre>{@code
 * ./beamline demo --sensors 8 --seconds 120 --output-dir out
 * ./beamline demo --input samples.csv --runner=SparkRunner --sparkMaster=local[2]
 * }</pre>
 */
public final class DemoPipeline implements BeamlinePipeline<DemoPipeline.DemoOptions> {

  /** Options of {@code beamline demo}. */
  public interface DemoOptions extends BeamlineOptions {
    @Description(
        "CSV file or glob with header sensor_id,time_s,value (time_s: Unix seconds, UTC);"
            + " omit to generate seeded synthetic samples")
    String getInput();

    void setInput(String value);

    @Description("Synthetic sensors (channels) to generate, 1..10000")
    @Default.Integer(4)
    int getSensors();

    void setSensors(int value);

    @Description("Synthetic duration in seconds")
    @Default.Double(60)
    double getSeconds();

    void setSeconds(double value);

    @Description("Synthetic sample rate in Hz")
    @Default.Double(250)
    double getRateHz();

    void setRateHz(double value);

    @Description("Random seed of the synthetic samples")
    @Default.Long(42)
    long getSeed();

    void setSeed(long value);

    @Description("Summary window length in seconds")
    @Default.Double(1.0)
    double getWindowSeconds();

    void setWindowSeconds(double value);

    @Description("Parquet files to write (0 = let the runner choose)")
    @Default.Integer(1)
    int getNumShards();

    void setNumShards(int value);
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "Summarise synthetic (or CSV) sensor samples per window into Parquet; needs no input";
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of("synthetic-samples", "sensors", "seconds", "rate-hz", "seed")
        .module("summarise-windows", "window-seconds")
        .module("write-window-stats", "num-shards")
        .asMap();
  }

  @Override
  public List<String> inputParameters() {
    return List.of("input");
  }

  @Override
  public Class<DemoOptions> optionsClass() {
    return DemoOptions.class;
  }

  @Override
  public void validate(DemoOptions o) {
    if (o.getInput() != null && !o.getInput().contains("*") && !o.getInput().contains("?")) {
      Inputs.requireReadableFile("--input", o.getInput());
    }
    if (!(o.getWindowSeconds() > 0)) {
      throw new UserInputException("--window-seconds must be > 0, got " + o.getWindowSeconds());
    }
    if (o.getNumShards() < 0) {
      throw new UserInputException("--num-shards must be >= 0, got " + o.getNumShards());
    }
    if (o.getSensors() < 1 || o.getSensors() > 10_000) {
      throw new UserInputException("--sensors must be in 1..10000, got " + o.getSensors());
    }
    if (!(o.getSeconds() > 0) || !(o.getRateHz() > 0)) {
      throw new UserInputException("--seconds and --rate-hz must be > 0");
    }
  }

  @Override
  public void build(Pipeline p, DemoOptions o) {
    if (o.getRunId() == null || o.getRunId().isBlank()) {
      o.setRunId(io.beamline.framework.run.Runs.newRunId(name()));
    }
    String out = outputDir(o).toString();
    SummariseWindowsModule summarise =
        Module.from(new SummariseWindowsModule.Config(o.getWindowSeconds()));
    WriteWindowStatsModule write =
        Module.from(new WriteWindowStatsModule.Config(out + "/window_stats", o.getNumShards()));
    PCollection<Sample> samples = o.getInput() == null ? p.apply(synthetic(o)) : readCsv(p, o, out);
    samples.apply(summarise).apply(write);
  }

  private static SyntheticSamplesModule synthetic(DemoOptions o) {
    return Module.from(
        new SyntheticSamplesModule.Config(
            o.getSensors(), o.getSeconds(), o.getRateHz(), o.getSeed()));
  }

  /** The samples of the CSV input; rejected lines go to {@code failures/} and failure records. */
  private PCollection<Sample> readCsv(Pipeline p, DemoOptions o, String out) {
    PCollectionTuple parsed = p.apply("ReadCsv", SampleCsvIO.read().from(o.getInput()));
    parsed
        .get(SampleCsvIO.FAILURES)
        .apply("WriteFailures", FailureIO.write().to(out + "/failures"));
    parsed
        .get(SampleCsvIO.FAILURES)
        .apply(
            "RecordFailures",
            FailureRecords.to(
                ItemCommits.of(Paths.get(o.getOutputDir()).toAbsolutePath(), name(), o),
                o.getRunId()));
    return parsed.get(SampleCsvIO.SAMPLES);
  }

  @Override
  public List<Path> inputFiles(DemoOptions o) {
    if (o.getInput() == null || o.getInput().contains("*") || o.getInput().contains("?")) {
      return List.of();
    }
    return List.of(Paths.get(o.getInput()));
  }

  /** {@code <output-dir>/demo}. */
  public static Path outputDir(DemoOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize().resolve("demo");
  }
}

package io.beamline.pipelines.constellation;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.backend.DirectTuning;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.bench.BenchRow;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Benchmark (not a test): samples/s of the whole constellation pipeline (drivers -> Kafka -> sync
 * -> NWB/Zarr/Parquet/WebDataset) against a plain Kafka producer loop sending the same record bytes
 * to the same broker, in one JVM. Prints both rates and their ratio.
 *
 * <p>Arguments: {@code [duration_s=5] [runner=DirectRunner] [rounds=2]}. Each round is also
 * reported as a {@link BenchRow} ({@code bench/run} starts one JVM per round: a second round in the
 * same JVM has failed on a producer record expiring on the bench's broker).
 */
public final class ConstellationBench {
  private ConstellationBench() {}

  public static void main(String[] argv) throws Exception {
    double duration = argv.length > 0 ? Double.parseDouble(argv[0]) : 5;
    String runner = argv.length > 1 ? argv[1] : "DirectRunner";
    int rounds = argv.length > 2 ? Integer.parseInt(argv[2]) : 2;
    Path dir = Files.createTempDirectory("constellation-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String bootstrap = kafka.bootstrapServers();
      for (int round = 1; round <= rounds; round++) {
        String session = "bench" + round;
        List<String> a =
            ConstellationTestSupport.args(
                dir.resolve("out"),
                "--kafkaBootstrap=" + bootstrap,
                "--duration=" + duration,
                "--sessionId=" + session,
                "--topicPrefix=bench" + round,
                "--runner=" + runner,
                "--sparkMaster=local[2]");
        var options = ConstellationTestSupport.options(a);
        // As the command line runs it (checks off unless BEAMLINE_DIRECT_CHECKS is set).
        DirectTuning.apply(options, a);
        SessionPlan plan = ConstellationPipeline.plan(options);

        // Baseline: the same record values, encoded up front, sent by a bare producer loop.
        List<byte[]> values = new ArrayList<>();
        long samples = 0;
        for (SensorDriver d : plan.drivers) {
          Iterator<SensorEvent> it = plan.faultedEvents(d);
          while (it.hasNext()) {
            SensorEvent e = it.next();
            samples += e.sampleCount();
            values.add(SensorEventCodec.encode(e));
          }
        }
        double plainSeconds = KafkaIngest.sendPlain(bootstrap, "bench.plain" + round, values);

        long t0 = System.nanoTime();
        RunRecord r = Runs.run(new ConstellationPipeline(), options, a);
        double pipelineSeconds = (System.nanoTime() - t0) / 1e9;
        if (!"succeeded".equals(r.status())) {
          throw new IllegalStateException("pipeline run failed: " + r.error());
        }
        JsonNode ingest =
            ConstellationTestSupport.read(r.runDir().resolve(ConstellationPipeline.INGEST_FILE));
        double plainRate = samples / plainSeconds;
        double ingestRate = ingest.get("samples").asLong() / ingest.get("seconds").asDouble();
        double pipelineRate = samples / pipelineSeconds;
        System.out.printf(
            "round %d (%s, %.1f s of data, %d samples, %d records, %.1f MB): plain producer %.0f"
                + " samples/s (%.2f s); drivers->Kafka ingest %.0f samples/s; end to end %.0f"
                + " samples/s (%.2f s); ratio end-to-end/plain %.3f, ingest/plain %.3f%n",
            round,
            runner,
            duration,
            samples,
            values.size(),
            values.stream().mapToLong(v -> v.length).sum() / 1e6,
            plainRate,
            plainSeconds,
            ingestRate,
            pipelineRate,
            pipelineSeconds,
            pipelineRate / plainRate,
            ingestRate / plainRate);
        BenchRow.emit(
            "constellation-" + runner,
            String.format(
                java.util.Locale.ROOT,
                "constellation end to end, %s s session, %s",
                duration,
                runner),
            "pipeline",
            "plain producer",
            "samples/s",
            new double[] {pipelineRate},
            new double[] {plainRate});
      }
    } finally {
      io.beamline.io.files.AtomicFiles.deleteTree(dir);
    }
  }
}

package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics-port} and {@code --metrics-host} on the command line of every pipeline. */
class MetricsCliTest {
  @TempDir Path dir;

  @Test
  void everyPipelineOffersTheMetricsFlags() {
    for (String[] help :
        new String[][] {{"demo", "--help"}, {"regions", "--help"}, {"infer", "chunk", "--help"}}) {
      BeamlineCliTest.Result r = BeamlineCliTest.run(help);
      assertEquals(0, r.code(), r.err());
      assertThat(r.out(), containsString("--metrics-port=<METRICS_PORT>"));
      assertThat(r.out(), containsString("--metrics-host=<METRICS_HOST>"));
    }
  }

  @Test
  void aPortInUseIsOneLineWithExitStatus2() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      BeamlineCliTest.Result r =
          BeamlineCliTest.run(
              "demo",
              "--output-dir",
              dir.toString(),
              "--seconds",
              "1",
              "--metrics-port",
              String.valueOf(port));
      assertEquals(2, r.code());
      assertEquals(1, r.errLines().size(), r.err());
      assertThat(
          r.err(),
          startsWith(
              "beamline demo: --metrics-port " + port + ": cannot listen on 127.0.0.1:" + port));
    }
  }

  @Test
  void aFreePortIsRecordedInTheManifest() throws Exception {
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "demo",
            "--output-dir",
            dir.toString(),
            "--seconds",
            "1",
            "--run-id",
            "m0",
            "--metrics-port",
            "0",
            "--metrics_host=127.0.0.1");
    assertEquals(0, r.code(), r.err());
    JsonNode m = new ObjectMapper().readTree(dir.resolve("runs/m0/manifest.json").toFile());
    assertThat(m.get("metrics_url").asText(), startsWith("http://127.0.0.1:"));
    JsonNode o = new ObjectMapper().readTree(dir.resolve("runs/m0/options.json").toFile());
    assertEquals(0, o.get("metricsPort").asInt());
  }
}

package io.beamline.pipelines.stream.daq;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.MonitorUrls;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Where run numbers come from: the monitor's atomic counter ({@code POST
 * /api/state/next-run-number}) when a monitor is given, else a counter file shared by every daq
 * using the same output directory. Either way two runs never get the same number.
 */
public interface RunNumbers {
  /** The first run number of a fresh counter, as the original testbed's monitor. */
  long FIRST = 100_010L;

  /** Takes the next run number. */
  long next() throws IOException;

  /**
   * A counter file holding the next number to hand out ({@code FIRST} when the file is absent).
   * Each call reads, increments and replaces it (written to a temporary name, then renamed) while
   * holding an exclusive lock on {@code <file>.lock}, so concurrent daq processes (and threads)
   * never take the same number.
   */
  static RunNumbers counterFile(Path file) {
    return () -> {
      Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
      // The lock is per JVM as well as per process: threads of one JVM serialise on the class.
      synchronized (RunNumbers.class) {
        try (FileChannel ch =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock ignored = ch.lock()) {
          long next = FIRST;
          if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            try {
              next = Long.parseLong(text);
            } catch (NumberFormatException e) {
              throw new UserInputException(
                  "run counter "
                      + file
                      + " holds '"
                      + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                      + "', not a run number; fix or delete it (a fresh counter starts at "
                      + FIRST
                      + ")");
            }
          }
          AtomicFiles.writeString(file, (next + 1) + "\n");
          return next;
        }
      }
    };
  }

  /**
   * The monitor at {@code baseUrl}: {@code POST <baseUrl>/api/state/next-run-number} with the
   * bearer {@code token}, answered by {@code {"run_number": N}}. A refusal or an unreachable
   * monitor is one {@link UserInputException} line.
   */
  static RunNumbers monitor(URI baseUrl, String token) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = MonitorUrls.resolve(baseUrl, "api/state/next-run-number");
    return () -> {
      HttpRequest req =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      HttpResponse<String> resp;
      try {
        resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException | HttpTimeoutException e) {
        throw new UserInputException(
            "monitor at "
                + baseUrl
                + " is not reachable ("
                + e.getClass().getSimpleName()
                + "); start 'beamline monitor serve' or check --monitor-url",
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while asking the monitor for a run number", e);
      }
      if (resp.statusCode() == 401 || resp.statusCode() == 403) {
        throw new UserInputException(
            "monitor at "
                + baseUrl
                + " refused the run number request (HTTP "
                + resp.statusCode()
                + "); check --monitor-token or --monitor-token-file");
      }
      if (resp.statusCode() != 200 && resp.statusCode() != 201) {
        throw new UserInputException(
            "monitor at "
                + baseUrl
                + " answered HTTP "
                + resp.statusCode()
                + " to "
                + uri
                + "; check --monitor-url names 'beamline monitor serve'");
      }
      JsonNode n;
      try {
        n = Json.MAPPER.readTree(resp.body()).get("run_number");
      } catch (IOException e) {
        n = null;
      }
      if (n == null || !n.isIntegralNumber()) {
        throw new UserInputException(
            "monitor at "
                + baseUrl
                + " answered "
                + uri
                + " without an integer run_number; check --monitor-url names 'beamline monitor"
                + " serve'");
      }
      return n.asLong();
    };
  }
}

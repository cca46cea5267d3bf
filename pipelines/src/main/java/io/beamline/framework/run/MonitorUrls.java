package io.beamline.framework.run;

import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The monitor's address as every client uses it (pipelines' {@link MonitorReporter}, the DAQ, the
 * testbed): a {@code --monitor-url} checked once, paths under it, and its health endpoint ({@code
 * GET /api/health}, open without a token).
 */
public final class MonitorUrls {
  private MonitorUrls() {}

  /**
   * Parses a {@code --monitor-url} value ({@code http://host:port}, optionally with a path prefix).
   *
   * @param flag the flag named in the error
   */
  public static URI parse(String value, String flag) {
    String fix = "; give the URL `beamline monitor serve` prints, e.g. http://127.0.0.1:8765";
    URI u;
    try {
      String v = value.trim();
      u = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
    } catch (URISyntaxException e) {
      throw new UserInputException(flag + " '" + value + "' is not a URL" + fix, e);
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new UserInputException(flag + " '" + value + "' is not an http(s) URL" + fix);
    }
    return u;
  }

  /** {@code path} (relative, e.g. {@code api/health}) under the base URL. */
  public static URI resolve(URI base, String path) {
    String b = base.toString();
    return URI.create(b.endsWith("/") ? b + path : b + "/" + path);
  }

  /**
   * Whether the monitor answers {@code GET /api/health} with HTTP 200 within {@code timeout}; the
   * failure's reason in one line otherwise.
   *
   * @return null when healthy, else why not
   */
  public static String unhealthy(URI base, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpRequest req =
        HttpRequest.newBuilder(resolve(base, "api/health")).timeout(timeout).GET().build();
    try {
      int code = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      return code == 200 ? null : "GET /api/health answered HTTP " + code;
    } catch (IOException e) {
      return "not reachable (" + e.getClass().getSimpleName() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}

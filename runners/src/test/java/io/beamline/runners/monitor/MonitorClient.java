package io.beamline.runners.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The tests' HTTP client of a monitor: JSON in and out, with or without the token. */
final class MonitorClient {
  /** A response: status and JSON body. */
  record Reply(int status, JsonNode body) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  MonitorClient(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  String base() {
    return base;
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), false);
  }

  Reply post(String path, Object body) throws IOException, InterruptedException {
    return write("POST", path, body, true);
  }

  Reply patch(String path, Object body) throws IOException, InterruptedException {
    return write("PATCH", path, body, true);
  }

  Reply write(String method, String path, Object body, boolean withToken)
      throws IOException, InterruptedException {
    String text = body instanceof String s ? s : Json.line(body);
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(text)),
        withToken);
  }

  private Reply send(HttpRequest.Builder b, boolean withToken)
      throws IOException, InterruptedException {
    if (withToken) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
    return new Reply(r.statusCode(), body);
  }

  HttpClient http() {
    return http;
  }
}

package io.beamline.runners.monitor;

import io.beamline.io.json.Json;
import io.beamline.runners.monitor.db.InvalidValueException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Stands in front of the live stream: refuses a bad filter with a 400 before the stream starts
 * (once it has, the status is sent), and lets a plain {@code GET} (curl, scripts) open it: Javalin
 * serves server-sent events only to requests whose {@code Accept} header is exactly {@code
 * text/event-stream}, which browsers' EventSource send and most other clients do not.
 */
final class StreamRequestFilter implements Filter {
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest req = (HttpServletRequest) request;
    try {
      MessageHub.Filter.of(
          req.getParameter("msg_types"), req.getParameter("agents"), req.getParameter("run_ids"));
    } catch (InvalidValueException e) {
      HttpServletResponse res = (HttpServletResponse) response;
      res.setStatus(400);
      res.setContentType("application/json");
      res.getOutputStream()
          .write(Json.line(Map.of("error", e.getMessage())).getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(
        new HttpServletRequestWrapper(req) {
          @Override
          public String getHeader(String name) {
            return "accept".equalsIgnoreCase(name) ? "text/event-stream" : super.getHeader(name);
          }
        },
        response);
  }
}

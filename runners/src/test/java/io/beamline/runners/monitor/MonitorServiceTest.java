package io.beamline.runners.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.runners.Beamline;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamline monitor serve} as a command: its flags, what it prints, its token file, stop. */
class MonitorServiceTest {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Beamline.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void badFlagsAreOneLineAndExitTwo() {
    Map<String[], String> cases =
        Map.of(
            new String[] {"monitor", "serve", "--port", "70000"}, "--port must be between 0 and",
            new String[] {"monitor", "serve", "--port", "abc"}, "'abc' is not an int",
            new String[] {"monitor", "serve", "--agent-timeout-seconds", "0"},
                "--agent-timeout-seconds must be at least 1",
            new String[] {"monitor", "serve", "--token", "short"}, "--token must be at least 16",
            new String[] {"monitor", "serve", "--broker", "localhost"},
                "--broker must be HOST:PORT",
            new String[] {"monitor", "serve", "--bogus"}, "--bogus",
            new String[] {"monitor"}, "name a subcommand",
            new String[] {
                  "monitor",
                  "serve",
                  "--output-dir",
                  dir.toString(),
                  "--port",
                  "0",
                  "--db-url",
                  "jdbc:mysql://localhost/x"
                },
                "--db-url must be jdbc:postgresql://");
    for (Map.Entry<String[], String> c : cases.entrySet()) {
      Result r = cli(c.getKey());
      String what = String.join(" ", c.getKey());
      assertEquals(2, r.code(), what + ": " + r.err());
      assertEquals(1, r.err().lines().count(), what + ": " + r.err());
      assertTrue(r.err().contains(c.getValue()), what + ": " + r.err());
    }
  }

  @Test
  void servesPrintsWhereAndStopsCleanly() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      StringWriter text = new StringWriter();
      PrintWriter out = new PrintWriter(text, true);
      MonitorService service = new MonitorService();
      MonitorService.Settings settings =
          new MonitorService.Settings(dir, "127.0.0.1", 0, null, null, null, null, null, 180);
      Future<Integer> serving = pool.submit(() -> service.serve(settings, out, out));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!text.toString().contains("status: serving") && System.nanoTime() < deadline) {
        assertTrue(!serving.isDone(), "serve ended early: " + text);
        Thread.sleep(20);
      }
      Matcher url = Pattern.compile("monitor: http://127.0.0.1:(\\d+)/").matcher(text.toString());
      assertTrue(url.find(), text.toString());
      int port = Integer.parseInt(url.group(1));
      Path tokenFile = dir.resolve("monitor.token");
      assertTrue(text.toString().contains("token: " + tokenFile), text.toString());
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
      String token = Files.readString(tokenFile).trim();
      assertEquals(3, text.toString().lines().count(), text.toString());
      MonitorClient api = new MonitorClient(port, token);
      assertEquals(200, api.get("/api/health").status());
      assertEquals(
          100010, api.post("/api/state/next-run-number", "").body().get("run_number").asLong());
      // The port is taken: a second monitor says so on one line.
      StringWriter err = new StringWriter();
      int second =
          new MonitorService()
              .serve(
                  new MonitorService.Settings(
                      dir.resolve("other"), "127.0.0.1", port, null, null, null, null, null, 180),
                  new PrintWriter(new StringWriter()),
                  new PrintWriter(err, true));
      assertEquals(2, second);
      assertTrue(err.toString().contains("cannot listen on 127.0.0.1:" + port), err.toString());
      service.stop();
      assertEquals(0, serving.get(30, TimeUnit.SECONDS));
      assertTrue(Files.isRegularFile(dir.resolve("monitor/monitor.mv.db")));
      assertEquals(token, MonitorService.token(tokenFile), "a restart keeps the token");
    } finally {
      pool.shutdownNow();
    }
  }
}

package io.beamline.runners.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.json.Json;
import io.beamline.runners.monitor.db.InvalidValueException;
import io.beamline.runners.monitor.db.MonitorDatabase;
import io.beamline.runners.monitor.db.MonitorTables;
import io.beamline.runners.monitor.db.Table;
import io.beamline.runners.monitor.db.TableStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's HTTP side: the REST API under {@code /api/}, the live message stream ({@code
 * /api/messages/stream/}) and the web page ({@code /}). Reads are open from loopback; writes, and
 * reads from other addresses, need {@code Authorization: Bearer <token>}.
 *
 * <pre>{@code
 * try (MonitorServer s = MonitorServer.start(db, "127.0.0.1", 0, token, Duration.ofMinutes(3), 30)) {
 *   URI api = s.baseUri().resolve("/api/runs");
 * }
 * }</pre>
 */
public final class MonitorServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorServer.class);
  private static final String STREAM = "/api/messages/stream";
  private static final Set<HandlerType> WRITES =
      Set.of(HandlerType.POST, HandlerType.PATCH, HandlerType.PUT, HandlerType.DELETE);

  private final MonitorDatabase db;
  private final Javalin app;
  private final MessageHub hub;
  private final MessageIngest ingest;
  private final AgentSweeper sweeper;
  private final byte[] token;
  private final String page;
  private volatile KafkaIngest broker;

  private MonitorServer(
      MonitorDatabase db, String token, Duration agentTimeout, long keepAliveSeconds) {
    this.db = db;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.hub = new MessageHub(keepAliveSeconds);
    this.ingest = new MessageIngest(db, hub);
    this.sweeper = new AgentSweeper(db, agentTimeout);
    this.page = resource("web/index.html");
    this.app =
        Javalin.create(
            cfg -> {
              cfg.showJavalinBanner = false;
              cfg.router.ignoreTrailingSlashes = true;
              cfg.http.defaultContentType = "application/json";
              cfg.jetty.modifyServletContextHandler(
                  h ->
                      h.addFilter(
                          new FilterHolder(new StreamRequestFilter()),
                          STREAM + "/*",
                          EnumSet.of(DispatcherType.REQUEST)));
            });
    routes();
  }

  /**
   * Starts a monitor on {@code host:port} (port 0: any free one) over {@code db}.
   *
   * @param token the bearer token writes need
   * @param agentTimeout silence after which an agent is marked EXITED
   * @param keepAliveSeconds seconds between keep-alive comments on the live stream
   */
  public static MonitorServer start(
      MonitorDatabase db,
      String host,
      int port,
      String token,
      Duration agentTimeout,
      long keepAliveSeconds) {
    MonitorServer s = new MonitorServer(db, token, agentTimeout, keepAliveSeconds);
    s.app.start(host, port);
    s.sweeper.start();
    return s;
  }

  /** The port the server listens on. */
  public int port() {
    return app.port();
  }

  /** Applies, journals and streams a message from the broker (see {@link MessageIngest}). */
  MessageIngest ingest() {
    return ingest;
  }

  /** The agent sweeper (tests run a sweep at a chosen time). */
  AgentSweeper sweeper() {
    return sweeper;
  }

  /**
   * Starts reading the workflow's topics from {@code bootstrap} into this monitor ({@link
   * KafkaIngest}); it stops with the server.
   */
  public void readBroker(String bootstrap) throws IOException {
    KafkaIngest k = new KafkaIngest(bootstrap, ingest);
    k.start();
    broker = k;
  }

  private void routes() {
    app.before("/api/*", this::authorize);
    app.exception(InvalidValueException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(
        SQLException.class,
        (e, ctx) -> {
          LOG.warn("database error on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
          error(ctx, 503, "the monitor's database failed: " + firstLine(e.getMessage()));
        });
    app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
    app.get("/api/health", ctx -> json(ctx, 200, health()));
    app.post(
        "/api/state/next-run-number",
        ctx -> json(ctx, 200, Map.of("run_number", db.nextRunNumber())));
    for (Table t :
        List.of(
            MonitorTables.RUNS,
            MonitorTables.STF_FILES,
            MonitorTables.FASTMON_FILES,
            MonitorTables.TF_SLICES,
            MonitorTables.AGENTS,
            MonitorTables.LOGS,
            MonitorTables.PIPELINE_RUNS)) {
      resource(new TableStore(db, t));
    }
    TableStore messages = new TableStore(db, MonitorTables.MESSAGES);
    app.get("/api/workflow-messages", ctx -> json(ctx, 200, messages.list(params(ctx))));
    app.get("/api/workflow-messages/{key}", ctx -> detail(ctx, messages));
    app.post(
        "/api/workflow-messages",
        ctx -> {
          Map<String, Object> row = ingest.accept(body(ctx), MessageIngest.Source.REST, false);
          json(ctx, 201, row);
        });
    TableStore agents = new TableStore(db, MonitorTables.AGENTS);
    app.post("/api/systemagents/{name}/heartbeat", ctx -> heartbeat(ctx, agents));
    app.sse(
        "/api/messages/stream",
        client -> {
          Context ctx = client.ctx();
          MessageHub.Filter filter;
          try {
            filter =
                MessageHub.Filter.of(
                    ctx.queryParam("msg_types"),
                    ctx.queryParam("agents"),
                    ctx.queryParam("run_ids"));
          } catch (InvalidValueException e) {
            error(ctx, 400, e.getMessage());
            client.close();
            return;
          }
          hub.subscribe(client, filter);
        });
  }

  private static MessageHub.Filter streamFilter(Context ctx) {
    return MessageHub.Filter.of(
        ctx.queryParam("msg_types"), ctx.queryParam("agents"), ctx.queryParam("run_ids"));
  }

  /** GET list and detail, POST create-or-update, PATCH update of one table. */
  private void resource(TableStore store) {
    String base = "/api/" + store.table().path();
    app.get(base, ctx -> json(ctx, 200, store.list(params(ctx))));
    app.get(base + "/{key}", ctx -> detail(ctx, store));
    app.post(
        base,
        ctx -> {
          TableStore.Written w = store.upsert(body(ctx));
          json(ctx, w.created() ? 201 : 200, w.row());
        });
    if (!store.table().key().equals("id")) {
      app.patch(
          base + "/{key}",
          ctx -> {
            Map<String, Object> row = store.patch(ctx.pathParam("key"), body(ctx));
            if (row == null) {
              notFound(ctx, store.table());
            } else {
              json(ctx, 200, row);
            }
          });
    }
  }

  private void detail(Context ctx, TableStore store) throws SQLException {
    Map<String, Object> row = store.get(ctx.pathParam("key"));
    if (row == null) {
      notFound(ctx, store.table());
    } else {
      json(ctx, 200, row);
    }
  }

  private void heartbeat(Context ctx, TableStore agents) throws SQLException {
    ObjectNode body = body(ctx);
    body.put("name", ctx.pathParam("name"));
    if (!body.has("last_heartbeat")) {
      body.put("last_heartbeat", Instant.now().toString());
    }
    // An agent that says it has exited is EXITED, whatever status it sends with it.
    if ("EXITED".equals(body.path("operational_state").asText())) {
      body.put("status", "EXITED");
    } else if (!body.has("status")) {
      body.put("status", "OK");
    }
    TableStore.Written w = agents.upsert(body);
    json(ctx, w.created() ? 201 : 200, w.row());
  }

  private Map<String, Object> health() throws SQLException {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("status", "ok");
    h.put("database", db.isPostgres() ? "postgresql" : "h2");
    h.put("schema_version", db.schemaVersion());
    KafkaIngest k = broker;
    h.put("broker", k == null ? "off" : k.status());
    h.put("stream_clients", hub.clients());
    // A query, so a database that went away shows here.
    h.put("runs", new TableStore(db, MonitorTables.RUNS).list(Map.of("limit", "1")).count());
    return h;
  }

  private void authorize(Context ctx) {
    boolean write = WRITES.contains(ctx.method());
    if (!write && isLoopback(ctx.ip())) {
      return;
    }
    String header = ctx.header("Authorization");
    byte[] given =
        header != null && header.startsWith("Bearer ")
            ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    if (!MessageDigest.isEqual(given, token)) {
      error(
          ctx,
          401,
          (write ? "writes" : "reads from another host")
              + " need 'Authorization: Bearer <token>'; the token is the monitor's --token or its"
              + " monitor.token file");
      ctx.skipRemainingHandlers();
    }
  }

  private static boolean isLoopback(String ip) {
    try {
      return InetAddress.getByName(ip).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Map<String, String> params(Context ctx) {
    Map<String, String> p = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((k, v) -> p.put(k, v.isEmpty() ? "" : v.get(v.size() - 1)));
    return p;
  }

  private static ObjectNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidValueException(
          "the body must be a JSON object: "
              + firstLine(e.getOriginalMessage())
              + "; send e.g. {\"run_number\": 100010}");
    }
    if (!(n instanceof ObjectNode o)) {
      throw new InvalidValueException("the body must be a JSON object, got " + n.getNodeType());
    }
    return o;
  }

  private static void notFound(Context ctx, Table t) {
    error(
        ctx,
        404,
        "no " + t.noun() + " " + ctx.pathParam("key") + "; GET /api/" + t.path() + " lists them");
  }

  private static void json(Context ctx, int status, Object value) {
    ctx.status(status).contentType("application/json").result(Json.line(value));
  }

  private static void error(Context ctx, int status, String message) {
    json(ctx, status, Map.of("error", firstLine(message)));
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  private static String resource(String name) {
    try (InputStream in = MonitorServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " next to MonitorServer");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    KafkaIngest k = broker;
    if (k != null) {
      k.close();
    }
    sweeper.close();
    hub.close();
    app.stop();
  }
}

package io.beamline.runners;

import io.beamline.runners.monitor.MonitorService;
import io.beamline.runners.monitor.db.InvalidValueException;
import java.io.PrintWriter;
import java.nio.file.Paths;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code beamline monitor serve [--output-dir DIR] [--host H] [--port P] [--token T] [--db-url URL]
 * [--db-user U] [--db-password P] [--broker HOST:PORT] [--agent-timeout-seconds N]}: the monitoring
 * service ({@link MonitorService}).
 */
final class MonitorCommand {
  private static final String DEFAULT_DIR = "beamline-output";

  private MonitorCommand() {}

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("monitor");
    spec.addOption(Beamline.helpOption());
    spec.usageMessage()
        .description(
            OptionFlags.literal(
                "The monitoring service of the streaming testbed: runs, STF files, agents and the"
                    + " live message feed over REST, server-sent events and a web page."));
    CommandSpec serve = CommandSpec.create().name("serve");
    serve.addOption(Beamline.helpOption());
    serve
        .usageMessage()
        .description(
            OptionFlags.literal(
                "Serve the monitor until SIGTERM or Ctrl-C: an H2 database file under"
                    + " --output-dir (or PostgreSQL with --db-url), the REST API under /api/, the"
                    + " web page at /, and with --broker the workflow's Kafka topics."));
    serve.addOption(
        text(
            "--output-dir",
            "DIR",
            "Holds monitor.token and monitor/ (default " + DEFAULT_DIR + ")"));
    serve.addOption(text("--host", "HOST", "Address to listen on (default 127.0.0.1)"));
    serve.addOption(
        OptionSpec.builder("--port")
            .type(Integer.class)
            .paramLabel("PORT")
            .description("Port (default " + MonitorService.DEFAULT_PORT + "; 0 picks a free one)")
            .build());
    serve.addOption(
        text(
            "--token",
            "TOKEN",
            "Write token (default: the one in <output-dir>/monitor.token, generated on first start)"));
    serve.addOption(
        text(
            "--db-url",
            "URL",
            "jdbc:postgresql://HOST:PORT/DB (default: H2 file <output-dir>/monitor/monitor)"));
    serve.addOption(text("--db-user", "USER", "Database user (or in the URL)"));
    serve.addOption(text("--db-password", "PASSWORD", "Database password (or in the URL)"));
    serve.addOption(
        text(
            "--broker",
            "HOST:PORT",
            "Kafka broker whose swf.* topics to read (group beamline-monitor)"));
    serve.addOption(
        OptionSpec.builder("--agent-timeout-seconds")
            .type(Integer.class)
            .paramLabel("N")
            .description("Mark an agent EXITED after N s without a heartbeat (default 180)")
            .build());
    serve.usageMessage().sortOptions(false);
    spec.addSubcommand("serve", serve);
    return spec;
  }

  private static OptionSpec text(String name, String label, String description) {
    return OptionSpec.builder(name)
        .type(String.class)
        .paramLabel(label)
        .description(description)
        .build();
  }

  static int execute(ParseResult monitor, PrintWriter out, PrintWriter err) {
    if (!monitor.hasSubcommand()) {
      err.println("beamline monitor: name a subcommand: 'beamline monitor serve'");
      return Beamline.USAGE;
    }
    ParseResult p = monitor.subcommand();
    MonitorService.Settings settings;
    try {
      settings =
          new MonitorService.Settings(
              Paths.get(p.matchedOptionValue("--output-dir", DEFAULT_DIR)),
              p.matchedOptionValue("--host", "127.0.0.1"),
              p.matchedOptionValue("--port", MonitorService.DEFAULT_PORT),
              p.matchedOptionValue("--token", (String) null),
              p.matchedOptionValue("--db-url", (String) null),
              p.matchedOptionValue("--db-user", (String) null),
              p.matchedOptionValue("--db-password", (String) null),
              p.matchedOptionValue("--broker", (String) null),
              p.matchedOptionValue("--agent-timeout-seconds", 180));
    } catch (InvalidValueException e) {
      err.println("beamline monitor serve: " + e.getMessage());
      return Beamline.USAGE;
    }
    return new MonitorService().serve(settings, out, err);
  }
}

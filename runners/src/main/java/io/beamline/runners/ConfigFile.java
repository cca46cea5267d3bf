package io.beamline.runners;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.EffectiveConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: a YAML or JSON file that gives a command's flags, grouped as a run records
 * them ({@link EffectiveConfig}):
 *
 * <pre>{@code
 * pipeline: regions            # optional; must name the command
 * data:
 *   workspace: out             # --output-dir
 *   inputs: {leadfield: lf.mat}
 *   scratch: /tmp/beamline     # Beam's tempLocation
 * modules:
 *   simulate: {segment-ms: 1000}
 * options: {seed: 7}
 * }</pre>
 *
 * <p>Keys are the command's flag names as on the command line; a flag given on the command line
 * wins over the file. The file's flags are added to the command line as {@code --flag=value} before
 * parsing, so they are checked exactly like typed ones. An unknown key is a one-line error naming
 * the file, the key and the closest flag.
 */
final class ConfigFile {
  /** The config flag every pipeline and tool command has. */
  static final String FLAG = "--config";

  /**
   * How a command's flags are grouped in a config file.
   *
   * @param command the command's words, e.g. {@code infer run}
   * @param modules flags by module name ({@code BeamlinePipeline#moduleParameters})
   * @param flags the command's flags that a file may set
   * @param scratch whether the command takes {@code data: scratch} (pipelines do)
   */
  record Layout(
      String command,
      Map<String, List<String>> modules,
      List<OptionFlags.Flag> flags,
      boolean scratch) {}

  /**
   * A command line with a config file's flags added.
   *
   * @param args the arguments to parse
   * @param scratch {@code data: scratch}, or null
   * @param fromFile the flags that came from the file (not typed)
   */
  record Applied(String[] args, String scratch, Set<OptionSpec> fromFile) {
    static Applied none(String[] args) {
      return new Applied(args, null, Set.of());
    }
  }

  private ConfigFile() {}

  /**
   * Adds the flags of the file named by {@code --config} in {@code args} (already normalized) to
   * them, unless typed; {@code args} unchanged when there is no {@code --config} or the command
   * takes none.
   *
   * @throws UserInputException for a bad file: unreadable, unknown key, a value that is not one
   *     value, or one for another command
   */
  static Applied apply(CommandLine top, String[] args, Map<CommandLine, Layout> layouts) {
    CommandLine leaf = top;
    int i = 0;
    while (i < args.length && leaf.getSubcommands().containsKey(args[i])) {
      leaf = leaf.getSubcommands().get(args[i]);
      i++;
    }
    Layout layout = layouts.get(leaf);
    int end = Arrays.asList(args).indexOf("--");
    end = end < 0 ? args.length : end;
    String file = null;
    for (int j = i; j < end; j++) {
      String value = null;
      if (args[j].equals(FLAG) && j + 1 < end) {
        value = args[++j];
      } else if (args[j].startsWith(FLAG + "=")) {
        value = args[j].substring(FLAG.length() + 1);
      }
      if (value != null) {
        if (file != null) {
          throw new UserInputException("--config given twice; give one config file");
        }
        file = value;
      }
    }
    if (file == null || layout == null) {
      return Applied.none(args);
    }
    Set<OptionSpec> typed = new HashSet<>();
    for (int j = i; j < end; j++) {
      if (args[j].startsWith("--")) {
        OptionSpec o = leaf.getCommandSpec().findOption(args[j].split("=", 2)[0]);
        if (o != null) {
          typed.add(o);
        }
      }
    }
    Reader r = new Reader(Paths.get(file), leaf, layout);
    r.read();
    List<String> out = new ArrayList<>(Arrays.asList(args).subList(0, end));
    Set<OptionSpec> fromFile = new HashSet<>();
    for (Map.Entry<OptionSpec, String> e : r.values.entrySet()) {
      if (!typed.contains(e.getKey())) {
        out.add(e.getKey().longestName() + "=" + e.getValue());
        fromFile.add(e.getKey());
      }
    }
    out.addAll(Arrays.asList(args).subList(end, args.length));
    return new Applied(out.toArray(new String[0]), r.scratch, fromFile);
  }

  /** Reads and checks one file against one command. */
  private static final class Reader {
    private final Path file;
    private final CommandLine leaf;
    private final Layout layout;
    private final Map<OptionSpec, String> values = new LinkedHashMap<>();
    private String scratch;

    Reader(Path file, CommandLine leaf, Layout layout) {
      this.file = file;
      this.leaf = leaf;
      this.layout = layout;
    }

    void read() {
      JsonNode root = EffectiveConfig.read(file);
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        switch (e.getKey()) {
          case "pipeline" -> pipeline(v);
          case "data" -> data(v);
          case "modules" -> {
            for (Map.Entry<String, JsonNode> m : fields(v, "modules")) {
              String where = "modules." + m.getKey();
              if (!layout.modules().containsKey(m.getKey())) {
                throw unknown(where, m.getKey(), layout.modules().keySet(), "module");
              }
              flags(m.getValue(), where);
            }
          }
          case "options" -> flags(v, "options");
          default -> throw unknown(e.getKey(), e.getKey(), EffectiveConfig.SECTIONS, "section");
        }
      }
    }

    private void pipeline(JsonNode v) {
      String named = v.isNull() ? null : v.asText().replace('-', ' ').trim();
      if (named != null && !named.equals(layout.command())) {
        throw new UserInputException(
            file
                + ": pipeline: '"
                + v.asText()
                + "' is a config for another command; this is 'beamline "
                + layout.command()
                + "'");
      }
    }

    private void data(JsonNode v) {
      for (Map.Entry<String, JsonNode> d : fields(v, "data")) {
        String where = "data." + d.getKey();
        switch (d.getKey()) {
          case "workspace" -> {
            OptionSpec o = option(EffectiveConfig.WORKSPACE_FLAG);
            if (o == null) {
              throw new UserInputException(
                  file
                      + ": data.workspace: 'beamline "
                      + layout.command()
                      + "' has no --"
                      + EffectiveConfig.WORKSPACE_FLAG
                      + "; name its output flag under options");
            }
            put(o, d.getValue(), where);
          }
          case "inputs" -> flags(d.getValue(), where);
          case "scratch" -> {
            if (!layout.scratch()) {
              throw new UserInputException(
                  file + ": data.scratch: 'beamline " + layout.command() + "' takes no scratch");
            }
            scratch = scalar(d.getValue(), where);
          }
          default -> throw unknown(where, d.getKey(), EffectiveConfig.DATA_KEYS, "key");
        }
      }
    }

    private void flags(JsonNode v, String where) {
      for (Map.Entry<String, JsonNode> f : fields(v, where)) {
        OptionSpec o = option(f.getKey());
        if (o == null) {
          throw unknown(
              where + "." + f.getKey(),
              f.getKey(),
              layout.flags().stream().map(x -> x.spec().longestName().substring(2)).toList(),
              "flag");
        }
        put(o, f.getValue(), where + "." + f.getKey());
      }
    }

    private void put(OptionSpec o, JsonNode v, String where) {
      String s = scalar(v, where);
      if (s == null) {
        return;
      }
      if (values.put(o, s) != null) {
        throw new UserInputException(
            file
                + ": "
                + where
                + ": "
                + o.longestName()
                + " is set twice in the file; set it once");
      }
    }

    /** The command's flag called {@code key} in any accepted spelling, or null. */
    private OptionSpec option(String key) {
      String name = OptionFlags.normalize(new String[] {"--" + key})[0];
      OptionSpec o = leaf.getCommandSpec().findOption(name);
      if (o == null || layout.flags().stream().noneMatch(f -> f.spec() == o)) {
        return null;
      }
      return o;
    }

    private String scalar(JsonNode v, String where) {
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isValueNode()) {
        throw new UserInputException(file + ": " + where + ": give one value, not a list or map");
      }
      return v.asText();
    }

    private List<Map.Entry<String, JsonNode>> fields(JsonNode v, String where) {
      if (v == null || v.isNull()) {
        return List.of();
      }
      if (!v.isObject()) {
        throw new UserInputException(
            file + ": " + where + ": expected a mapping of names to values");
      }
      List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
      v.fields().forEachRemaining(out::add);
      return out;
    }

    private UserInputException unknown(
        String where, String key, java.util.Collection<String> known, String what) {
      List<String> close = UnknownArguments.closest(key, known);
      return new UserInputException(
          file
              + ": unknown "
              + what
              + " '"
              + where
              + "'"
              + (!close.isEmpty()
                  ? "; did you mean '" + String.join("' or '", close) + "'?"
                  : what.equals("flag")
                      ? "; run 'beamline " + layout.command() + " --help' for the flags"
                      : "; known: " + String.join(", ", known)));
    }
  }
}

package io.beamline.runners;

import io.beamline.framework.Spelling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The first unknown flag or command word of a command line, with the known one it is closest to:
 * {@code beamline regions: unknown flag --start-regoin; did you mean --start-region?}. Picocli
 * reports a missing required flag before an unknown one, which hides the typo that caused it; the
 * command line asks this class first whenever picocli refuses the arguments.
 *
 * <p>Names are compared after the spellings the command line accepts are made one ({@code
 * --start_region}, {@code --startRegion} and {@code --start-region} are the same flag): letters
 * only, lower case. A name is close to a known one when they are equal in that form, have the same
 * words in another order, differ by at most one edit per four letters (insertions, deletions,
 * substitutions, swapped neighbours; at least one, at most three), or when the typed name is the
 * start of exactly one known name.
 */
final class UnknownArguments {
  private UnknownArguments() {}

  /** A refused argument: the command it was given to and the one-line message. */
  record Problem(CommandLine command, String message) {}

  /**
   * The first argument that names no flag or command, or null when every flag and command word is
   * known (picocli's own message then says what is wrong).
   *
   * @param top the root command
   * @param typed the arguments as the user typed them (named in the message)
   * @param normalized the same arguments after {@link OptionFlags#normalize}
   */
  static Problem find(CommandLine top, String[] typed, String[] normalized) {
    CommandLine cur = top;
    for (int i = 0; i < normalized.length; i++) {
      String a = normalized[i];
      if (a.equals("--")) {
        return null;
      }
      if (a.startsWith("--") && a.length() > 2) {
        int eq = a.indexOf('=');
        String name = eq < 0 ? a : a.substring(0, eq);
        OptionSpec o = cur.getCommandSpec().findOption(name);
        if (o == null) {
          String shown = typed[i].indexOf('=') < 0 ? typed[i] : typed[i].split("=", 2)[0];
          List<String> close = closest(name, optionNames(cur));
          return new Problem(
              cur,
              "unknown flag "
                  + shown
                  + (close.isEmpty()
                      ? "; run '" + qualified(cur) + " --help' for the flags"
                      : "; did you mean " + String.join(" or ", close) + "?"));
        }
        if (eq < 0) {
          i += valuesTaken(o, normalized, i + 1);
        }
        continue;
      }
      if (a.startsWith("-") && a.length() > 1) {
        // Short flags (-h, -V) and negative numbers: picocli's to judge.
        continue;
      }
      CommandLine sub = cur.getSubcommands().get(a);
      if (sub != null) {
        cur = sub;
        continue;
      }
      if (!cur.getSubcommands().isEmpty()
          && cur.getCommandSpec().positionalParameters().isEmpty()) {
        Set<String> commands = cur.getSubcommands().keySet();
        List<String> close = new ArrayList<>(closest(a, commands));
        if (close.isEmpty()) {
          // A command of a group named without the group: "beamline chunk" for "infer chunk".
          for (var e : cur.getSubcommands().entrySet()) {
            if (e.getValue().getSubcommands().containsKey(a) && !e.getKey().equals("plan")) {
              close.add(e.getKey() + " " + a);
            }
          }
        }
        return new Problem(
            cur,
            "unknown command '"
                + typed[i]
                + "'; "
                + (close.isEmpty()
                    ? "commands: " + String.join(", ", commands)
                    : "did you mean " + String.join(" or ", close) + "?"));
      }
    }
    return null;
  }

  private static String qualified(CommandLine c) {
    return c.getCommandSpec().qualifiedName(" ");
  }

  /** The words after position {@code next - 1} that {@code o} takes as its value. */
  private static int valuesTaken(OptionSpec o, String[] args, int next) {
    CommandLine.Range arity = o.arity();
    if (arity.max() == 0) {
      return 0;
    }
    if (arity.min() == 0) {
      // A boolean flag takes a following true/false, nothing else.
      boolean bool =
          next < args.length
              && (args[next].equalsIgnoreCase("true") || args[next].equalsIgnoreCase("false"));
      return bool ? 1 : 0;
    }
    return Math.min(arity.min(), args.length - next);
  }

  private static List<String> optionNames(CommandLine c) {
    List<String> names = new ArrayList<>();
    for (OptionSpec o : c.getCommandSpec().options()) {
      if (!o.hidden()) {
        names.add(o.longestName());
      }
    }
    return names;
  }

  /**
   * The known names closest to {@code typed} (see the class comment), best first; at most three,
   * empty when none is close.
   */
  static List<String> closest(String typed, Collection<String> known) {
    String t = key(typed);
    if (t.isEmpty()) {
      return List.of();
    }
    int limit = Math.max(1, Math.min(3, t.length() / 4));
    int best = Integer.MAX_VALUE;
    List<String> out = new ArrayList<>();
    List<String> prefixed = new ArrayList<>();
    for (String k : known) {
      String c = key(k);
      int score;
      if (c.equals(t) || (words(typed).equals(words(k)) && words(k).size() > 1)) {
        score = 0;
      } else {
        score = Spelling.distance(t, c);
        if (score > limit) {
          if (t.length() >= 3 && c.startsWith(t)) {
            prefixed.add(k);
          }
          continue;
        }
      }
      if (score < best) {
        best = score;
        out.clear();
      }
      if (score == best) {
        out.add(k);
      }
    }
    if (out.isEmpty() && prefixed.size() == 1) {
      out.addAll(prefixed);
    }
    return out.size() > 3 ? out.subList(0, 3) : out;
  }

  /** Letters and digits only, lower case: the spelling-free form of a flag or command name. */
  static String key(String name) {
    return name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
  }

  /** The words of a name in any of the accepted spellings, as a set. */
  private static Set<String> words(String name) {
    String kebab = OptionFlags.kebab(name.replaceFirst("^-+", "")).replace('_', '-');
    return new TreeSet<>(
        Arrays.stream(kebab.toLowerCase(Locale.ROOT).split("-+"))
            .filter(w -> !w.isEmpty())
            .toList());
  }
}

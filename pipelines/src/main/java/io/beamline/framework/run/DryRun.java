package io.beamline.framework.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.PlannedItems;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run would do, item by item, without running or writing anything ({@code beamline plan
 * <command> --dry-run}, like {@code snakemake -n --reason}): each planned item ({@link
 * BeamlinePipeline#plannedItems}) with whether it would run and why, judged from its commit record
 * ({@link ItemCommits}) and config hash ({@link ItemConfig}).
 */
public final class DryRun {
  /** Why an item would run or be skipped; {@link #label} is what the dry run prints. */
  public enum Reason {
    NOT_YET_RUN(true, "not yet run"),
    FAILED_BEFORE(true, "failed before"),
    OUTPUTS_MISSING(true, "outputs missing"),
    CONFIG_CHANGED(true, "config changed"),
    INPUT_CHANGED(true, "input changed"),
    NOT_RESUMING(true, "committed, but this run redoes committed items"),
    SAME_CONFIG(false, "already committed with the same config");

    private final boolean runs;
    private final String label;

    Reason(boolean runs, String label) {
      this.runs = runs;
      this.label = label;
    }

    /** Whether an item with this reason would run. */
    public boolean runs() {
      return runs;
    }

    /** The short text, also used to count items in the summary. */
    public String label() {
      return label;
    }
  }

  /**
   * One item's decision.
   *
   * @param item the item key
   * @param reason why it would run or be skipped
   * @param detail what backs the reason (the earlier run, its error, the changed settings), or null
   */
  public record Decision(String item, Reason reason, String detail) {
    /** Whether the item would run. */
    public boolean runs() {
      return reason.runs();
    }
  }

  private final List<Decision> decisions;
  private final PlannedItems planned;

  private DryRun(List<Decision> decisions, PlannedItems planned) {
    this.decisions = List.copyOf(decisions);
    this.planned = planned;
  }

  /** The decisions for a run of {@code def} with {@code options} (validated); writes nothing. */
  public static <O extends BeamlineOptions> DryRun of(BeamlinePipeline<O> def, O options) {
    Map<String, Object> config = EffectiveConfig.of(def, options);
    ItemConfig now = ItemConfig.of(def, config);
    Path outputDir = Paths.get(options.getOutputDir()).toAbsolutePath().normalize();
    ItemCommits commits = ItemCommits.of(outputDir, def.name());
    PlannedItems planned = def.plannedItems(options);
    JsonNode current = Json.MAPPER.valueToTree(config);
    Map<String, JsonNode> recorded = new LinkedHashMap<>();
    List<Decision> out = new ArrayList<>();
    for (String key : planned.keys()) {
      Optional<CommitRecord> r = commits.read(key);
      if (r.isEmpty()) {
        out.add(new Decision(key, Reason.NOT_YET_RUN, null));
        continue;
      }
      CommitRecord rec = r.get();
      String run = "run " + rec.runId();
      if (!rec.succeeded()) {
        out.add(new Decision(key, Reason.FAILED_BEFORE, run + ": " + rec.error()));
      } else if (!commits.outputsPresent(rec)) {
        out.add(new Decision(key, Reason.OUTPUTS_MISSING, "committed by " + run));
      } else if (rec.configHash() != null && !rec.configHash().equals(now.hashOf(key))) {
        JsonNode then = recorded.computeIfAbsent(rec.runId(), id -> recordedConfig(outputDir, id));
        List<String> modules = modulesUpTo(config, now.moduleOf(key));
        String changes =
            then == null ? "" : ": " + String.join(", ", changes(then, current, modules));
        out.add(new Decision(key, Reason.CONFIG_CHANGED, "since " + run + changes));
      } else if (inputChanged(rec, planned.inputDigests().get(key))) {
        out.add(
            new Decision(
                key,
                Reason.INPUT_CHANGED,
                "since "
                    + run
                    + ": "
                    + rec.details().getOrDefault(ItemCommits.INPUT_DIGEST, "not recorded")
                    + " -> "
                    + planned.inputDigests().get(key)));
      } else if (!planned.resumes()) {
        out.add(
            new Decision(
                key,
                Reason.NOT_RESUMING,
                run
                    + (planned.resumeFlag() == null
                        ? ""
                        : "; " + planned.resumeFlag() + " skips it")));
      } else {
        out.add(
            new Decision(
                key,
                Reason.SAME_CONFIG,
                run + (rec.configHash() == null ? "; its config was not recorded" : "")));
      }
    }
    return new DryRun(out, planned);
  }

  private static boolean inputChanged(CommitRecord rec, String digest) {
    return digest != null && !digest.equals(rec.details().get(ItemCommits.INPUT_DIGEST));
  }

  /** Every decision, in the order the pipeline planned the items. */
  public List<Decision> decisions() {
    return decisions;
  }

  /**
   * One line per item ({@code run <item> <reason> (<detail>)} or {@code skip ...}) and a summary
   * line counting them by reason.
   */
  public String toText() {
    StringBuilder b = new StringBuilder();
    int width = decisions.stream().mapToInt(d -> d.item().length()).max().orElse(0);
    for (Decision d : decisions) {
      b.append(d.runs() ? "run   " : "skip  ")
          .append(String.format("%-" + Math.max(1, width) + "s", d.item()))
          .append("  ")
          .append(d.reason().label())
          .append(d.detail() == null ? "" : " (" + d.detail() + ")")
          .append('\n');
    }
    b.append(summary()).append('\n');
    return b.toString();
  }

  /** {@code 5 items: 3 would run (2 not yet run, 1 config changed), 2 would be skipped (...)}. */
  public String summary() {
    if (planned.keys().isEmpty()) {
      return "no planned items: this pipeline does not resume item by item, so a run does all of"
          + " its work; nothing was written";
    }
    Map<Reason, Integer> run = new LinkedHashMap<>();
    Map<Reason, Integer> skip = new LinkedHashMap<>();
    for (Reason r : Reason.values()) {
      long n = decisions.stream().filter(d -> d.reason() == r).count();
      if (n > 0) {
        (r.runs() ? run : skip).put(r, (int) n);
      }
    }
    return decisions.size()
        + (decisions.size() == 1 ? " item: " : " items: ")
        + count(run)
        + " would run"
        + breakdown(run)
        + ", "
        + count(skip)
        + " would be skipped"
        + breakdown(skip)
        + "; nothing was written";
  }

  private static int count(Map<Reason, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static String breakdown(Map<Reason, Integer> m) {
    if (m.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    m.forEach((r, n) -> parts.add(n + " " + r.label()));
    return " (" + String.join(", ", parts) + ")";
  }

  /** The config recorded by run {@code runId}, or null when it has none. */
  private static JsonNode recordedConfig(Path outputDir, String runId) {
    Path f = outputDir.resolve("runs").resolve(runId).resolve(Runs.CONFIG_FILE);
    try {
      return EffectiveConfig.read(f);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The modules up to and including {@code module} (every module for {@link ItemConfig#ANY}). */
  private static List<String> modulesUpTo(Map<String, Object> config, String module) {
    List<String> out = new ArrayList<>();
    for (Object m : ((Map<?, ?>) config.get("modules")).keySet()) {
      out.add((String) m);
      if (m.equals(module)) {
        break;
      }
    }
    return out;
  }

  /** The inputs and module parameters that differ: {@code modules.simulate.seed 11 -> 12}. */
  private static List<String> changes(JsonNode then, JsonNode now, List<String> modules) {
    List<String> out = new ArrayList<>();
    diff("data.inputs", then.path("data").path("inputs"), now.path("data").path("inputs"), out);
    for (String m : modules) {
      diff("modules." + m, then.path("modules").path(m), now.path("modules").path(m), out);
    }
    return out;
  }

  private static void diff(String where, JsonNode then, JsonNode now, List<String> out) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    then.fieldNames()
        .forEachRemaining(
            k -> {
              if (!keys.contains(k)) {
                keys.add(k);
              }
            });
    for (String k : keys) {
      String a = text(then.get(k));
      String b = text(now.get(k));
      if (!a.equals(b)) {
        out.add(where + "." + k + " " + a + " -> " + b);
      }
    }
  }

  private static String text(JsonNode v) {
    return v == null || v.isNull() ? "null" : v.asText();
  }
}

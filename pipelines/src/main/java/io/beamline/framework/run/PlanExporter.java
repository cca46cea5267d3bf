package io.beamline.framework.run;

import io.beamline.framework.module.Module;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;

/**
 * Turns a constructed (not run) Beam pipeline into a plan: the tree of composite and primitive
 * transforms, the PCollections between them, as JSON, Graphviz DOT, and an indented text tree.
 *
 * <p>Only {@link Pipeline#traverseTopologically} is used, which walks the graph without executing
 * any transform.
 */
public final class PlanExporter {

  /** One transform in the plan. */
  public static final class Step {
    public final int id;
    public final String name;
    public final String fullName;
    public final String kind;
    public final String transform;
    public final Integer parent;
    public final List<String> inputs = new ArrayList<>();
    public final List<String> outputs = new ArrayList<>();

    /** For a {@link Module}: its display data (module, ports and every config setting). */
    public final Map<String, String> settings = new LinkedHashMap<>();

    final List<Step> children = new ArrayList<>();

    Step(int id, String name, String fullName, String kind, String transform, Integer parent) {
      this.id = id;
      this.name = name;
      this.fullName = fullName;
      this.kind = kind;
      this.transform = transform;
      this.parent = parent;
    }
  }

  /** One PCollection in the plan. */
  public static final class Collection {
    public final String id;
    public final String name;
    public final String coder;
    public final String boundedness;
    public final String windowing;
    public final Integer producer;

    Collection(
        String id,
        String name,
        String coder,
        String boundedness,
        String windowing,
        Integer producer) {
      this.id = id;
      this.name = name;
      this.coder = coder;
      this.boundedness = boundedness;
      this.windowing = windowing;
      this.producer = producer;
    }
  }

  private final String pipelineName;
  private final Step root;
  private final List<Step> steps;
  private final Map<String, Collection> collections;

  private PlanExporter(
      String pipelineName, Step root, List<Step> steps, Map<String, Collection> collections) {
    this.pipelineName = pipelineName;
    this.root = root;
    this.steps = steps;
    this.collections = collections;
  }

  /** Walks {@code pipeline} and records its graph. */
  public static PlanExporter of(String pipelineName, Pipeline pipeline) {
    List<Step> steps = new ArrayList<>();
    Map<String, Collection> collections = new LinkedHashMap<>();
    IdentityHashMap<PValue, String> ids = new IdentityHashMap<>();
    List<Step> stack = new ArrayList<>();
    Step[] rootHolder = new Step[1];

    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            Step s = record(node, node.isRootNode() ? "root" : "composite");
            if (node.isRootNode()) {
              rootHolder[0] = s;
            }
            stack.add(s);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void leaveCompositeTransform(TransformHierarchy.Node node) {
            stack.remove(stack.size() - 1);
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            record(node, "primitive");
          }

          private Step record(TransformHierarchy.Node node, String kind) {
            Step parent = stack.isEmpty() ? null : stack.get(stack.size() - 1);
            String full = node.getFullName();
            String shortName =
                full.contains("/") ? full.substring(full.lastIndexOf('/') + 1) : full;
            Step s =
                new Step(
                    steps.size(),
                    node.isRootNode() ? pipelineName : shortName,
                    full,
                    kind,
                    node.getTransform() == null ? "" : node.getTransform().getClass().getName(),
                    parent == null ? null : parent.id);
            if (node.getTransform() instanceof Module<?, ?, ?> module) {
              // Sorted by key: display data is a set, and plans are compared between runs.
              DisplayData.from(module).items().stream()
                  .sorted(java.util.Comparator.comparing(DisplayData.Item::getKey))
                  .forEach(item -> s.settings.put(item.getKey(), String.valueOf(item.getValue())));
            }
            steps.add(s);
            if (parent != null) {
              parent.children.add(s);
            }
            if (!node.isRootNode()) {
              for (PValue out : node.getOutputs().values()) {
                String id = ids.computeIfAbsent(out, k -> "pc" + ids.size());
                s.outputs.add(id);
                if ("primitive".equals(kind) && out instanceof PCollection) {
                  PCollection<?> pc = (PCollection<?>) out;
                  String coder;
                  try {
                    coder = pc.getCoder().toString();
                  } catch (IllegalStateException e) {
                    coder = "<not inferred>";
                  }
                  collections.put(
                      id,
                      new Collection(
                          id,
                          pc.getName(),
                          coder,
                          pc.isBounded().name().toLowerCase(java.util.Locale.ROOT),
                          pc.getWindowingStrategy().getWindowFn().getClass().getSimpleName(),
                          s.id));
                }
              }
              for (PValue in : node.getInputs().values()) {
                s.inputs.add(ids.computeIfAbsent(in, k -> "pc" + ids.size()));
              }
            }
            return s;
          }
        });
    return new PlanExporter(pipelineName, rootHolder[0], steps, collections);
  }

  /** Number of primitive transforms (what a runner actually executes). */
  public int primitiveCount() {
    return (int) steps.stream().filter(s -> "primitive".equals(s.kind)).count();
  }

  /** The plan as a JSON document: pipeline name, transforms, pcollections. */
  public String toJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", pipelineName);
    doc.put(
        "transforms",
        steps.stream().filter(s -> !"root".equals(s.kind)).map(PlanExporter::stepJson).toList());
    doc.put("pcollections", new ArrayList<>(collections.values()));
    return Json.write(doc);
  }

  private static Map<String, Object> stepJson(Step s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id);
    m.put("name", s.name);
    m.put("full_name", s.fullName);
    m.put("kind", s.kind);
    m.put("transform", s.transform);
    m.put("parent", s.parent);
    m.put("inputs", s.inputs);
    m.put("outputs", s.outputs);
    if (!s.settings.isEmpty()) {
      m.put("settings", s.settings);
    }
    return m;
  }

  /**
   * The plan as Graphviz DOT: composites as clusters, primitives as boxes, edges per PCollection.
   */
  public String toDot() {
    StringBuilder b = new StringBuilder();
    b.append("digraph \"").append(esc(pipelineName)).append("\" {\n");
    b.append("  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    for (Step child : root.children) {
      dotStep(b, child, "  ");
    }
    for (Step s : steps) {
      if (!"primitive".equals(s.kind)) {
        continue;
      }
      for (String in : s.inputs) {
        Collection c = collections.get(in);
        if (c != null) {
          b.append("  n")
              .append(c.producer)
              .append(" -> n")
              .append(s.id)
              .append(" [label=\"")
              .append(esc(shortPc(c.name)))
              .append("\", fontsize=8];\n");
        }
      }
    }
    b.append("}\n");
    return b.toString();
  }

  private static void dotStep(StringBuilder b, Step s, String indent) {
    if ("primitive".equals(s.kind)) {
      b.append(indent)
          .append("n")
          .append(s.id)
          .append(" [label=\"")
          .append(esc(s.name))
          .append("\"];\n");
      return;
    }
    b.append(indent).append("subgraph cluster_").append(s.id).append(" {\n");
    b.append(indent).append("  label=\"").append(esc(s.name));
    if (!s.settings.isEmpty()) {
      b.append(" (module)");
    }
    b.append("\";\n");
    for (Step c : s.children) {
      dotStep(b, c, indent + "  ");
    }
    b.append(indent).append("}\n");
  }

  /** An indented tree of the top two levels of composites and their primitive counts. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append("pipeline ")
        .append(pipelineName)
        .append(": ")
        .append(primitiveCount())
        .append(" primitive transforms\n");
    for (Step s : root.children) {
      textStep(b, s, "  ", 0);
    }
    return b.toString();
  }

  private void textStep(StringBuilder b, Step s, String indent, int depth) {
    b.append(indent).append(s.name);
    if (!"primitive".equals(s.kind)) {
      b.append(" [").append(countPrimitives(s)).append("]");
    }
    String outs =
        String.join(
            ", ",
            s.outputs.stream()
                .map(collections::get)
                .filter(java.util.Objects::nonNull)
                .map(c -> c.boundedness)
                .distinct()
                .toList());
    if (!outs.isEmpty() && "primitive".equals(s.kind)) {
      b.append(" -> ").append(outs);
    }
    b.append("\n");
    String settings = settingsLine(s.settings);
    if (!settings.isEmpty()) {
      b.append(indent).append("    settings: ").append(settings).append("\n");
    }
    if (depth < 1) {
      for (Step c : s.children) {
        textStep(b, c, indent + "  ", depth + 1);
      }
    }
  }

  /** A module's config settings on one line (ports and name are in the tree already). */
  private static String settingsLine(Map<String, String> settings) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (List.of("module", "inputs", "outputs").contains(e.getKey())) {
        continue;
      }
      String v = e.getValue().length() > 60 ? e.getValue().substring(0, 57) + "..." : e.getValue();
      b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(v);
    }
    return b.length() > 400 ? b.substring(0, 397) + "..." : b.toString();
  }

  private static int countPrimitives(Step s) {
    if ("primitive".equals(s.kind)) {
      return 1;
    }
    int n = 0;
    for (Step c : s.children) {
      n += countPrimitives(c);
    }
    return n;
  }

  private static String shortPc(String name) {
    int slash = name.lastIndexOf('/');
    return slash >= 0 ? name.substring(slash + 1) : name;
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}

package org.ffnfuse.graph.ir;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Collects edits to a graph and applies them in one batch ({@link #apply()}), producing a new verified graph; the base
 * graph never changes. Removals, additions, use renames and initializer changes may be declared in any order.
 *
 * <p>Order of the result: untouched nodes keep their relative order; nodes added with {@link #addBefore} go where
 * their anchor was; others go last; then a stable topological sort moves only what dependencies require.
 */
public final class Rewriter {
  private final Graph base;
  private final Set<Node> removed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Node, List<Node>> addedBefore = new IdentityHashMap<>();
  private final List<Node> addedAtEnd = new ArrayList<>();
  private final Map<String, String> renames = new HashMap<>();
  private final Map<String, Tensor> newInitializers = new LinkedHashMap<>();
  private final Set<String> removedInitializers = new HashSet<>();
  private final Set<String> reserved = new HashSet<>();
  private final Set<String> removedInputs = new LinkedHashSet<>();
  private final Set<String> removedOutputs = new LinkedHashSet<>();
  private final List<FunctionProto> newFunctions = new ArrayList<>();
  private final Map<String, Long> newOpsets = new LinkedHashMap<>();
  private long minIrVersion;
  private boolean removeDead;
  private boolean applied;

  Rewriter(Graph base) {
    this.base = base;
    reserved.addAll(base.valueNames());
    base.nodes().forEach(n -> reserved.add(n.name()));
  }

  /** The graph being edited. */
  public Graph base() {
    return base;
  }

  /** Removes {@code n} (a node of the base graph). */
  public Rewriter remove(Node n) {
    checkOpen();
    checkArgument(base.contains(n), "%s is not in the graph being rewritten", n);
    removed.add(n);
    return this;
  }

  public Rewriter removeAll(Collection<Node> nodes) {
    nodes.forEach(this::remove);
    return this;
  }

  /** Adds a node; it is placed last, then moved only as far forward as topological order requires. */
  public Node add(NodeProto proto) {
    checkOpen();
    Node n = Node.of(proto);
    addedAtEnd.add(n);
    reserveNames(n);
    return n;
  }

  /** Adds a node at the position of {@code anchor} (a base node, which may itself be removed). */
  public Node addBefore(Node anchor, NodeProto proto) {
    checkOpen();
    checkArgument(base.contains(anchor), "%s is not in the graph being rewritten", anchor);
    Node n = Node.of(proto);
    addedBefore.computeIfAbsent(anchor, k -> new ArrayList<>()).add(n);
    reserveNames(n);
    return n;
  }

  /**
   * Replaces {@code old} (base nodes) by {@code replacement}, placed where the first of {@code old} was. Values of
   * {@code old} read elsewhere must be produced by the replacement (or renamed with {@link #replaceUses}); the batch
   * fails in {@link #apply()} otherwise.
   */
  public List<Node> replace(Collection<Node> old, List<NodeProto> replacement) {
    checkArgument(!old.isEmpty(), "nothing to replace");
    Node first = old.stream().min((a, b) -> Integer.compare(base.indexOf(a), base.indexOf(b))).orElseThrow();
    removeAll(old);
    List<Node> added = new ArrayList<>();
    for (NodeProto p : replacement) {
      added.add(addBefore(first, p));
    }
    return added;
  }

  /**
   * Makes every remaining reader of {@code from} read {@code to} instead. Graph outputs keep their names, so
   * {@code from} must not be a graph output.
   */
  public Rewriter replaceUses(String from, String to) {
    checkOpen();
    checkArgument(!base.isGraphOutput(from), "graph output %s keeps its name: produce it from the replacement", from);
    checkArgument(!from.equals(to), "renaming %s to itself", from);
    renames.put(from, to);
    return this;
  }

  /** Adds an initializer under a unique name derived from {@code nameHint}; returns that name. */
  public String addInitializer(String nameHint, Tensor data) {
    checkOpen();
    checkNotNull(data);
    String name = uniqueValueName(nameHint);
    newInitializers.put(name, data);
    return name;
  }

  /** Removes initializer {@code name}; nothing may read it afterwards. */
  public Rewriter removeInitializer(String name) {
    checkOpen();
    checkArgument(base.initializer(name).isPresent(), "no initializer %s", name);
    removedInitializers.add(name);
    return this;
  }

  /**
   * Removes graph input {@code name} from the graph's interface; nothing may read it afterwards. Use for inputs that
   * only removed nodes read (e.g. the KV-cache inputs of a removed attention).
   */
  public Rewriter removeGraphInput(String name) {
    checkOpen();
    checkArgument(base.isGraphInput(name), "%s is not a graph input", name);
    removedInputs.add(name);
    return this;
  }

  /**
   * Removes graph output {@code name} from the graph's interface (e.g. the KV-cache outputs of a removed attention);
   * with {@link #removeDeadNodes()}, nodes that only computed it are removed too.
   */
  public Rewriter removeGraphOutput(String name) {
    checkOpen();
    checkArgument(base.isGraphOutput(name), "%s is not a graph output", name);
    removedOutputs.add(name);
    return this;
  }

  /**
   * Adds a model-local function (called by nodes whose domain and op type are the function's). A function with the
   * same domain and name must not exist yet, unless it is identical (then nothing is added).
   *
   * @throws IllegalArgumentException if a different function with that domain and name exists
   */
  public Rewriter addFunction(FunctionProto f) {
    checkOpen();
    checkNotNull(f);
    Optional<FunctionProto> existing = function(f.getDomain(), f.getName());
    if (existing.isPresent()) {
      checkArgument(existing.get().equals(f), "the model already has a different function %s.%s", f.getDomain(),
          f.getName());
      return this;
    }
    newFunctions.add(f);
    return this;
  }

  /** The model-local function {@code domain.name} of the base graph or added to this rewriter, if any. */
  public Optional<FunctionProto> function(String domain, String name) {
    return java.util.stream.Stream.concat(base.model().getFunctionsList().stream(), newFunctions.stream())
        .filter(x -> x.getDomain().equals(domain) && x.getName().equals(name)).findFirst();
  }

  /**
   * Imports operator set {@code domain} at {@code version}; a no-op if the model imports that version already.
   *
   * @throws IllegalArgumentException if the model imports another version of {@code domain}
   */
  public Rewriter addOpsetImport(String domain, long version) {
    checkOpen();
    long have = base.opsetVersion(domain);
    Long pending = newOpsets.get(domain);
    checkArgument((have == 0 || have == version) && (pending == null || pending == version),
        "the model imports %s version %s, not %s", domain.isEmpty() ? "the default domain" : domain,
        have != 0 ? Long.valueOf(have) : pending, version);
    if (have == 0) {
      newOpsets.put(domain, version);
    }
    return this;
  }

  /**
   * Raises the model's IR version to at least {@code version} (e.g. 8, the first with model-local functions); a
   * model already at or above it keeps its version.
   */
  public Rewriter requireIrVersion(long version) {
    checkOpen();
    minIrVersion = Math.max(minIrVersion, version);
    return this;
  }

  /**
   * After the edits, also removes nodes and initializers that fed removed nodes and are no longer read by anything
   * (transitively). Dead code elsewhere in the graph is left alone.
   */
  public Rewriter removeDeadNodes() {
    checkOpen();
    removeDead = true;
    return this;
  }

  /** A value name not used in the graph nor handed out before: {@code hint}, else {@code hint_1}, {@code hint_2}... */
  public String uniqueValueName(String hint) {
    return unique(hint);
  }

  /** A node name not used in the graph nor handed out before. */
  public String uniqueNodeName(String hint) {
    return unique(hint);
  }

  private String unique(String hint) {
    checkArgument(!hint.isEmpty(), "empty name hint");
    String name = hint;
    for (int i = 1; reserved.contains(name); i++) {
      name = hint + "_" + i;
    }
    reserved.add(name);
    return name;
  }

  private void reserveNames(Node n) {
    reserved.add(n.name());
    reserved.addAll(n.outputs());
  }

  private void checkOpen() {
    checkState(!applied, "this Rewriter was already applied; start a new one from the result");
  }

  /**
   * Applies all edits at once.
   *
   * @return the new graph
   * @throws IllegalStateException if the result breaks an invariant ({@link GraphVerifier#problems})
   */
  public Graph apply() {
    checkOpen();
    applied = true;
    List<Node> order = new ArrayList<>();
    for (Node n : base.nodes()) {
      for (Node a : addedBefore.getOrDefault(n, List.of())) {
        order.add(renamed(a));
      }
      if (!removed.contains(n)) {
        order.add(renamed(n));
      }
    }
    addedAtEnd.forEach(a -> order.add(renamed(a)));

    Map<String, TensorProto> inits = new LinkedHashMap<>(base.initializerProtos());
    removedInitializers.forEach(inits::remove);
    Map<String, Tensor> tensors = new LinkedHashMap<>(base.newTensors());
    removedInitializers.forEach(tensors::remove);
    newInitializers.forEach((name, t) -> {
      inits.put(name, TensorProtos.header(name, t).build());
      tensors.put(name, t);
    });

    List<String> inputs = base.inputs().stream().filter(i -> !removedInputs.contains(i)).toList();
    List<String> outputs = base.outputs().stream().filter(o -> !removedOutputs.contains(o)).toList();
    if (removeDead) {
      removeDeadFeeders(order, inits, tensors, new HashSet<>(outputs));
    }
    ModelProto model = base.model();
    if (!newFunctions.isEmpty() || !newOpsets.isEmpty() || model.getIrVersion() < minIrVersion) {
      ModelProto.Builder mb = model.toBuilder().addAllFunctions(newFunctions);
      newOpsets.forEach((d, v) -> mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
      if (mb.getIrVersion() < minIrVersion) {
        mb.setIrVersion(minIrVersion);
      }
      model = mb.build();
    }
    Graph g = new Graph(model, order, inits, tensors, inputs, outputs, base.source());
    List<String> structural = GraphVerifier.structuralProblems(g);
    if (!structural.isEmpty()) {
      throw new IllegalStateException("rewrite breaks the graph: " + String.join("; ", structural));
    }
    List<Node> sorted = TopologicalOrder.stableSort(g);
    if (!sorted.equals(order)) {
      g = new Graph(model, sorted, inits, tensors, inputs, outputs, base.source());
    }
    GraphVerifier.verify(g, "rewrite");
    return g;
  }

  private Node renamed(Node n) {
    if (renames.isEmpty() || n.inputs().stream().noneMatch(renames::containsKey)) {
      return n;
    }
    return n.withInputsRenamed(renames);
  }

  private void removeDeadFeeders(List<Node> order, Map<String, TensorProto> inits, Map<String, Tensor> tensors,
      Set<String> outputs) {
    Map<String, Integer> readers = new HashMap<>();
    Map<String, Node> producer = new HashMap<>();
    for (Node n : order) {
      reads(n).forEach(v -> readers.merge(v, 1, Integer::sum));
      n.outputs().forEach(o -> producer.put(o, n));
    }
    Deque<String> candidates = new ArrayDeque<>();
    for (Node n : removed) {
      candidates.addAll(reads(n));
    }
    candidates.addAll(removedOutputs);
    Set<Node> dead = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!candidates.isEmpty()) {
      String v = candidates.pop();
      if (readers.getOrDefault(v, 0) > 0 || outputs.contains(v)) {
        continue;
      }
      Node p = producer.get(v);
      if (p == null) {
        if (inits.containsKey(v) && !newInitializers.containsKey(v)) {
          inits.remove(v);
          tensors.remove(v);
        }
        continue;
      }
      if (dead.contains(p) || p.outputs().stream().anyMatch(o -> readers.getOrDefault(o, 0) > 0
          || outputs.contains(o))) {
        continue;
      }
      dead.add(p);
      for (String in : reads(p)) {
        readers.merge(in, -1, Integer::sum);
        candidates.add(in);
      }
    }
    order.removeIf(dead::contains);
  }

  private static Set<String> reads(Node n) {
    Set<String> r = new LinkedHashSet<>(n.inputs());
    r.addAll(n.implicitInputs());
    r.remove("");
    return r;
  }
}

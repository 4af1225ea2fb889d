package org.ffnfuse.graph.ir;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * An immutable view of a {@code ModelProto}'s main graph: nodes in topological order, each value's producer and
 * consumers, graph inputs and outputs, and initializers (headers known at once; data read lazily through the caller's
 * {@link InitializerSource}).
 *
 * <p>Edits go through {@link #rewriter()}, which builds a new graph and leaves this one unchanged; {@link #export()}
 * writes a graph back to a {@code ModelProto} in which everything not edited is carried over as it was.
 */
public final class Graph {
  private static final InitializerSource EMBEDDED_ONLY = name -> {
    throw new IOException("initializer " + name + " has external data and no InitializerSource was given;"
        + " open the model through the formats module's ONNX reader");
  };

  private final ModelProto model;
  private final List<Node> nodes;
  private final Map<Node, Integer> index = new IdentityHashMap<>();
  private final Map<String, Node> producers = new HashMap<>();
  private final Map<String, List<Node>> consumers = new HashMap<>();
  private final Map<String, TensorProto> initializers;
  private final Map<String, Tensor> newTensors;
  private final List<String> inputs;
  private final List<String> outputs;
  private final InitializerSource source;
  private final Map<String, Optional<Tensor>> constants = new ConcurrentHashMap<>();

  Graph(ModelProto model, List<Node> nodes, Map<String, TensorProto> initializers, Map<String, Tensor> newTensors,
      List<String> inputs, List<String> outputs, InitializerSource source) {
    this.model = model;
    this.nodes = List.copyOf(nodes);
    this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    this.newTensors = Collections.unmodifiableMap(new LinkedHashMap<>(newTensors));
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.source = source;
    for (int i = 0; i < this.nodes.size(); i++) {
      Node n = this.nodes.get(i);
      index.put(n, i);
      for (String out : n.outputs()) {
        if (!out.isEmpty()) {
          producers.putIfAbsent(out, n);
        }
      }
      Set<String> read = new LinkedHashSet<>(n.inputs());
      read.addAll(n.implicitInputs());
      for (String in : read) {
        if (!in.isEmpty()) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
  }

  /** The main graph of {@code model}; initializers with external data cannot be read ({@link #tensor}). */
  public static Graph of(ModelProto model) throws InvalidGraphException {
    return of(model, EMBEDDED_ONLY);
  }

  /**
   * The main graph of {@code model}, reading initializer data through {@code source}. Nodes out of topological order
   * are sorted (stably).
   *
   * @throws InvalidGraphException if a value is produced twice, an input is produced by nothing, or there is a cycle
   */
  public static Graph of(ModelProto model, InitializerSource source) throws InvalidGraphException {
    checkNotNull(model);
    checkNotNull(source);
    GraphProto g = model.getGraph();
    Map<String, TensorProto> inits = new LinkedHashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      if (inits.put(t.getName(), t) != null) {
        throw new InvalidGraphException("initializer " + t.getName() + " is defined twice");
      }
    }
    List<String> ins = new ArrayList<>();
    for (ValueInfoProto v : g.getInputList()) {
      if (!inits.containsKey(v.getName())) {
        ins.add(v.getName());
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (NodeProto n : g.getNodeList()) {
      nodes.add(Node.of(n));
    }
    List<String> outs = g.getOutputList().stream().map(ValueInfoProto::getName).toList();
    Graph unsorted = new Graph(model, nodes, inits, Map.of(), ins, outs, source);
    List<String> problems = GraphVerifier.structuralProblems(unsorted);
    if (!problems.isEmpty()) {
      throw new InvalidGraphException("invalid ONNX graph: " + String.join("; ", problems));
    }
    List<Node> sorted = TopologicalOrder.stableSort(unsorted);
    return sorted.equals(nodes) ? unsorted : new Graph(model, sorted, inits, Map.of(), ins, outs, source);
  }

  /**
   * The model this graph was read from, with functions and opset imports added by rewrites; its graph's nodes,
   * initializers, inputs and outputs may be out of date (see {@link #export()}).
   */
  public ModelProto model() {
    return model;
  }

  /** Nodes in topological order. */
  public List<Node> nodes() {
    return nodes;
  }

  public boolean contains(Node n) {
    return index.containsKey(n);
  }

  /** Position of {@code n} in {@link #nodes()}. */
  public int indexOf(Node n) {
    Integer i = index.get(n);
    checkArgument(i != null, "%s is not in this graph", n);
    return i;
  }

  /** The node producing {@code value}; empty for graph inputs, initializers and unknown names. */
  public Optional<Node> producer(String value) {
    return Optional.ofNullable(producers.get(value));
  }

  /** Nodes reading {@code value} (each once, in graph order), including reads from inside subgraphs. */
  public List<Node> consumers(String value) {
    return Collections.unmodifiableList(consumers.getOrDefault(value, List.of()));
  }

  /** Graph inputs that are not initializers, in file order. */
  public List<String> inputs() {
    return inputs;
  }

  /** Graph outputs, in file order. */
  public List<String> outputs() {
    return outputs;
  }

  public boolean isGraphInput(String value) {
    return inputs.contains(value);
  }

  public boolean isGraphOutput(String value) {
    return outputs.contains(value);
  }

  /** Whether {@code value} is a graph input, an initializer or a node output. */
  public boolean hasValue(String value) {
    return producers.containsKey(value) || initializers.containsKey(value) || inputs.contains(value);
  }

  /** Every value name: graph inputs, initializers and node outputs. */
  public Set<String> valueNames() {
    Set<String> all = new LinkedHashSet<>(inputs);
    all.addAll(initializers.keySet());
    for (Node n : nodes) {
      all.addAll(n.outputs());
    }
    all.remove("");
    return all;
  }

  public Optional<InitializerInfo> initializer(String name) {
    TensorProto t = initializers.get(name);
    return t == null ? Optional.empty() : Optional.of(InitializerInfo.of(t));
  }

  /** Headers of all initializers, in file order (initializers added by rewrites last). */
  public List<InitializerInfo> initializers() {
    return initializers.values().stream().map(InitializerInfo::of).toList();
  }

  /** The initializer that {@code value} is, directly or through a chain of {@code Identity} nodes. */
  public Optional<String> initializerBehind(String value) {
    String v = value;
    for (int hops = 0; hops < 16; hops++) {
      if (initializers.containsKey(v)) {
        return Optional.of(v);
      }
      Node p = producers.get(v);
      if (p == null || !p.is("Identity")) {
        return Optional.empty();
      }
      v = p.input(0);
    }
    return Optional.empty();
  }

  /**
   * The data of initializer {@code name}: from a rewrite, embedded in the model, or read through the source.
   *
   * @throws IOException if the source cannot read it
   */
  public Tensor tensor(String name) throws IOException {
    checkArgument(initializers.containsKey(name), "no initializer named %s", name);
    Tensor t = newTensors.get(name);
    if (t != null) {
      return t;
    }
    TensorProto p = initializers.get(name);
    if (p.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
      Optional<Tensor> embedded = TensorProtos.decodeEmbedded(p);
      if (embedded.isPresent()) {
        return embedded.get();
      }
    }
    return source.tensor(name);
  }

  /**
   * The value of {@code value} if it is known without reading files: an embedded initializer or a {@code Constant}
   * node's output, directly or through {@code Identity} nodes. External initializers give empty.
   */
  public Optional<Tensor> constant(String value) {
    return constants.computeIfAbsent(value, this::computeConstant);
  }

  private Optional<Tensor> computeConstant(String value) {
    Optional<String> init = initializerBehind(value);
    if (init.isPresent()) {
      Tensor t = newTensors.get(init.get());
      return t != null ? Optional.of(t) : TensorProtos.decodeEmbedded(initializers.get(init.get()));
    }
    String v = value;
    Node p = producers.get(v);
    while (p != null && p.is("Identity")) {
      v = p.input(0);
      p = producers.get(v);
    }
    if (p == null || !p.is("Constant")) {
      return Optional.empty();
    }
    for (AttributeProto a : p.proto().getAttributeList()) {
      switch (a.getName()) {
        case "value" -> {
          return TensorProtos.decodeEmbedded(a.getT());
        }
        case "value_float" -> {
          return Optional.of(HeapTensor.ofFloats(Shape.of(), new float[] {a.getF()}));
        }
        case "value_floats" -> {
          float[] f = new float[a.getFloatsCount()];
          for (int i = 0; i < f.length; i++) {
            f[i] = a.getFloats(i);
          }
          return Optional.of(HeapTensor.ofFloats(Shape.of(f.length), f));
        }
        case "value_int" -> {
          return Optional.of(HeapTensor.ofLongs(Shape.of(), new long[] {a.getI()}));
        }
        case "value_ints" -> {
          return Optional.of(HeapTensor.ofLongs(Shape.of(a.getIntsCount()),
              a.getIntsList().stream().mapToLong(Long::longValue).toArray()));
        }
        default -> { }
      }
    }
    return Optional.empty();
  }

  /** The values of an integer constant ({@link #constant}), if it is one. */
  public Optional<long[]> constantLongs(String value) {
    return constant(value).flatMap(Graph::longs);
  }

  /** The values of a floating-point constant ({@link #constant}), if it is one. */
  public Optional<float[]> constantFloats(String value) {
    return constant(value).filter(t -> t.dtype().convertsToFloat()).flatMap(t -> {
      try {
        return Optional.of(t.toFloats());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e); // heap tensors do not fail
      }
    });
  }

  private static Optional<long[]> longs(Tensor t) {
    DType d = t.dtype();
    if (d != DType.I64 && d != DType.I32) {
      return Optional.empty();
    }
    int n = (int) t.shape().elementCount();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n * d.byteSize()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    try {
      t.read(0, b);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // heap tensors do not fail
    }
    b.flip();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = d == DType.I64 ? b.getLong() : b.getInt();
    }
    return Optional.of(out);
  }

  /** The opset version imported for {@code domain} ({@code ""} = default ONNX domain), or 0 when not imported. */
  public long opsetVersion(String domain) {
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      String d = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
      if (d.equals(domain)) {
        return o.getVersion();
      }
    }
    return 0;
  }

  /** A batched editor producing a new graph from this one. */
  public Rewriter rewriter() {
    return new Rewriter(this);
  }

  Map<String, TensorProto> initializerProtos() {
    return initializers;
  }

  Map<String, Tensor> newTensors() {
    return newTensors;
  }

  InitializerSource source() {
    return source;
  }

  /**
   * This graph as a {@code ModelProto}: nodes in this graph's order, initializers in file order (rewrites' new ones
   * last, as data-less headers whose data is in {@link ExportedModel#newTensors()}), value_info of removed values
   * and removed graph inputs/outputs dropped; everything else (opsets, metadata, functions, node metadata_props, the
   * remaining graph inputs and outputs) unchanged.
   */
  public ExportedModel export() {
    ModelProto.Builder mb = model.toBuilder();
    GraphProto.Builder gb = mb.getGraphBuilder();
    gb.clearNode();
    for (Node n : nodes) {
      gb.addNode(n.proto());
    }
    gb.clearInitializer();
    gb.addAllInitializer(initializers.values());
    List<ValueInfoProto> keptInfo = gb.getValueInfoList().stream().filter(v -> hasValue(v.getName())).toList();
    gb.clearValueInfo().addAllValueInfo(keptInfo);
    List<ValueInfoProto> keptInputs = gb.getInputList().stream()
        .filter(v -> inputs.contains(v.getName()) || initializers.containsKey(v.getName())).toList();
    gb.clearInput().addAllInput(keptInputs);
    List<ValueInfoProto> keptOutputs = gb.getOutputList().stream().filter(v -> outputs.contains(v.getName())).toList();
    gb.clearOutput().addAllOutput(keptOutputs);
    return new ExportedModel(mb.build(), newTensors);
  }

  @Override
  public String toString() {
    return "Graph[" + nodes.size() + " nodes, " + initializers.size() + " initializers, inputs " + inputs
        + ", outputs " + outputs + "]";
  }

  /** Used by tests and passes that need node lookup by name (names are not guaranteed unique: first wins). */
  public Optional<Node> nodeNamed(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  static Collection<String> definedOutside(Graph g) {
    Set<String> s = new LinkedHashSet<>(g.inputs);
    s.addAll(g.initializers.keySet());
    return s;
  }
}

package org.ffnfuse.graph.ir;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One operator application. Wraps the original {@link NodeProto} unchanged (attributes, {@code doc_string},
 * {@code metadata_props} and unknown fields survive export) and adds convenient accessors.
 *
 * <p>Nodes have identity semantics: two nodes are the same only if they are the same object. A graph rebuilt by
 * {@link Rewriter#apply()} keeps the node objects it did not touch.
 */
public final class Node {
  private final NodeProto proto;
  private final String domain;
  private final List<String> inputs;
  private final List<String> outputs;
  private final List<String> implicitInputs;

  private Node(NodeProto proto) {
    this.proto = checkNotNull(proto);
    this.domain = proto.getDomain().equals("ai.onnx") ? "" : proto.getDomain();
    this.inputs = List.copyOf(proto.getInputList());
    this.outputs = List.copyOf(proto.getOutputList());
    this.implicitInputs = List.copyOf(outerScopeReferences(proto));
  }

  /** A node wrapping {@code proto}. */
  public static Node of(NodeProto proto) {
    return new Node(proto);
  }

  /** The original protobuf message. */
  public NodeProto proto() {
    return proto;
  }

  public String opType() {
    return proto.getOpType();
  }

  /** The operator domain; the default ONNX domain is {@code ""} (also when written as {@code ai.onnx}). */
  public String domain() {
    return domain;
  }

  /** The node name; may be empty in ONNX files. */
  public String name() {
    return proto.getName();
  }

  /** Input value names in order; an empty string is an omitted optional input. */
  public List<String> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  /** Input {@code i}, or {@code ""} when absent or omitted. */
  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  /** Output {@code i}, or {@code ""} when absent or omitted. */
  public String output(int i) {
    return i < outputs.size() ? outputs.get(i) : "";
  }

  /** Values of the enclosing graph that subgraph attributes (If/Loop/Scan bodies) read. */
  public List<String> implicitInputs() {
    return implicitInputs;
  }

  /** Whether this is {@code opType} in the default ONNX domain. */
  public boolean is(String opType) {
    return domain.isEmpty() && proto.getOpType().equals(opType);
  }

  /** Whether this is {@code opType} in {@code domain}. */
  public boolean is(String domain, String opType) {
    return this.domain.equals(domain) && proto.getOpType().equals(opType);
  }

  public Optional<AttributeProto> attribute(String name) {
    for (AttributeProto a : proto.getAttributeList()) {
      if (a.getName().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** An INT attribute, or {@code fallback} when absent. */
  public long intAttribute(String name, long fallback) {
    return attribute(name).filter(a -> a.getType() == AttributeProto.AttributeType.INT)
        .map(AttributeProto::getI).orElse(fallback);
  }

  /** A FLOAT attribute, or {@code fallback} when absent. */
  public float floatAttribute(String name, float fallback) {
    return attribute(name).filter(a -> a.getType() == AttributeProto.AttributeType.FLOAT)
        .map(AttributeProto::getF).orElse(fallback);
  }

  /** An INTS attribute, if present. */
  public Optional<List<Long>> intsAttribute(String name) {
    return attribute(name).filter(a -> a.getType() == AttributeProto.AttributeType.INTS)
        .map(a -> List.copyOf(a.getIntsList()));
  }

  /** A STRING attribute, if present. */
  public Optional<String> stringAttribute(String name) {
    return attribute(name).filter(a -> a.getType() == AttributeProto.AttributeType.STRING)
        .map(a -> a.getS().toStringUtf8());
  }

  /** A TENSOR attribute (e.g. {@code Constant}'s value), if present. */
  public Optional<TensorProto> tensorAttribute(String name) {
    return attribute(name).filter(a -> a.getType() == AttributeProto.AttributeType.TENSOR)
        .map(AttributeProto::getT);
  }

  /** A copy of this node with input {@code i} replaced. */
  Node withInputsRenamed(java.util.Map<String, String> renames) {
    NodeProto.Builder b = proto.toBuilder();
    for (int i = 0; i < b.getInputCount(); i++) {
      String r = renames.get(b.getInput(i));
      if (r != null) {
        b.setInput(i, r);
      }
    }
    checkArgument(implicitInputs.stream().noneMatch(renames::containsKey),
        "cannot rename a value read inside a subgraph of %s", this);
    return new Node(b.build());
  }

  /** {@code Mul [node_mul_101]}. */
  @Override
  public String toString() {
    return (domain.isEmpty() ? "" : domain + ".") + opType() + " [" + name() + "]";
  }

  private static Set<String> outerScopeReferences(NodeProto proto) {
    Set<String> refs = new LinkedHashSet<>();
    for (AttributeProto a : proto.getAttributeList()) {
      List<GraphProto> graphs = new ArrayList<>(a.getGraphsList());
      if (a.hasG()) {
        graphs.add(a.getG());
      }
      for (GraphProto g : graphs) {
        collect(g, new HashSet<>(), refs);
      }
    }
    return refs;
  }

  private static void collect(GraphProto g, Set<String> outerDefined, Set<String> refs) {
    Set<String> defined = new HashSet<>(outerDefined);
    g.getInputList().forEach(v -> defined.add(v.getName()));
    g.getInitializerList().forEach(t -> defined.add(t.getName()));
    for (NodeProto n : g.getNodeList()) {
      for (String in : n.getInputList()) {
        if (!in.isEmpty() && !defined.contains(in)) {
          refs.add(in);
        }
      }
      Node inner = new Node(n);
      for (String in : inner.implicitInputs) {
        if (!defined.contains(in)) {
          refs.add(in);
        }
      }
      defined.addAll(n.getOutputList());
    }
    g.getOutputList().forEach(v -> {
      if (!defined.contains(v.getName())) {
        refs.add(v.getName());
      }
    });
  }
}

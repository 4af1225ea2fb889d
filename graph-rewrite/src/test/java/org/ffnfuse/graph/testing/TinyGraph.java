package org.ffnfuse.graph.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Random;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;

/** Builds small ONNX graphs in code for pattern tests. */
public final class TinyGraph {
  private final GraphProto.Builder g = GraphProto.newBuilder().setName("tiny");
  private final Random rng = new Random(42);
  private int counter;

  public TinyGraph input(String name) {
    g.addInput(ValueInfoProto.newBuilder().setName(name));
    return this;
  }

  public TinyGraph output(String name) {
    g.addOutput(ValueInfoProto.newBuilder().setName(name));
    return this;
  }

  /** A float initializer of random values (seeded). */
  public TinyGraph weight(String name, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
    long n = 1;
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    for (long i = 0; i < n; i++) {
      t.addFloatData((float) rng.nextGaussian());
    }
    g.addInitializer(t);
    return this;
  }

  /** A uint8 initializer of zero bytes (packed block-quantized weights). */
  public TinyGraph bytes(String name, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(2);
    long n = 1;
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    t.setRawData(com.google.protobuf.ByteString.copyFrom(new byte[(int) n]));
    g.addInitializer(t);
    return this;
  }

  /** A scalar float initializer. */
  public TinyGraph scalar(String name, float v) {
    g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(1).addFloatData(v));
    return this;
  }

  /** A 1-D int64 initializer. */
  public TinyGraph longs(String name, long... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
    for (long x : v) {
      t.addInt64Data(x);
    }
    g.addInitializer(t);
    return this;
  }

  /**
   * A node; {@code io} is inputs then "->" then outputs ({@code _} for an omitted one); attributes as further
   * {@link AttributeProto}s.
   */
  public TinyGraph node(String op, String io, AttributeProto... attrs) {
    return node("", op, io, attrs);
  }

  public TinyGraph node(String domain, String op, String io, AttributeProto... attrs) {
    String[] parts = io.split("->");
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setDomain(domain).setName(op + "_" + counter++);
    for (String in : parts[0].trim().split("\\s+")) {
      n.addInput(in.equals("_") ? "" : in);
    }
    for (String out : parts[1].trim().split("\\s+")) {
      n.addOutput(out.equals("_") ? "" : out);
    }
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    g.addNode(n);
    return this;
  }

  public static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  public static AttributeProto integer(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  public static AttributeProto real(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  public static AttributeProto text(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  public ModelProto model() {
    return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1)).setGraph(g).build();
  }

  public Graph build() {
    try {
      return Graph.of(model());
    } catch (InvalidGraphException e) {
      throw new AssertionError(e);
    }
  }
}

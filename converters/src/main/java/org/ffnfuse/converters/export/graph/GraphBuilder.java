package org.ffnfuse.converters.export.graph;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * Builds an ONNX graph node by node with readable, unique names: a node in scope {@code /model/layers.3/mlp/down_proj}
 * of type {@code MatMul} is named {@code /model/layers.3/mlp/down_proj/MatMul} and its output
 * {@code /model/layers.3/mlp/down_proj/MatMul_output_0}, as torch.onnx names them. Weight initializers are declared
 * without data; their bytes come from {@link #tensorData()} when the model is written. Small constants are stored
 * inline and shared.
 */
public final class GraphBuilder {
  /** ONNX {@code TensorProto.DataType} codes used here. */
  public static final int FLOAT = 1;
  public static final int INT64 = 7;
  public static final int BOOL = 9;
  public static final int FLOAT16 = 10;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Map<String, Tensor> tensorData = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();
  private final Map<String, String> constants = new HashMap<>();
  private final Set<String> opTypes = new java.util.TreeSet<>();
  private boolean built;

  /** A graph called {@code name}. */
  public GraphBuilder(String name) {
    graph.setName(name);
  }

  /** Declares a graph input; each dim is a {@link Long} size or a {@link String} symbolic name. */
  public String input(String name, int elemType, List<?> dims) {
    claim(name);
    graph.addInput(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares a graph output produced by some node (its output must be named {@code name}). */
  public void output(String name, int elemType, List<?> dims) {
    graph.addOutput(valueInfo(name, elemType, dims));
  }

  /** A weight initializer whose bytes come from {@code data} at write time. */
  public String initializer(String name, Tensor data) {
    claim(name);
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(data.dtype().onnxCode())
        .addAllDims(data.shape().toList()));
    tensorData.put(name, data);
    return name;
  }

  /** A 1-D int64 constant (shared by value). */
  public String ints(long... values) {
    return constant("int64" + Arrays.toString(values), INT64, new long[] {values.length}, bytes(values));
  }

  /** A rank-0 int64 constant. */
  public String scalarInt(long value) {
    return constant("int64 scalar " + value, INT64, new long[0], bytes(new long[] {value}));
  }

  /** A rank-0 float constant. */
  public String scalarFloat(float value) {
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
    return constant("float scalar " + Float.floatToRawIntBits(value), FLOAT, new long[0], b.array());
  }

  /** A 1-D float constant (small tables such as rotary inverse frequencies). */
  public String floats(String name, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    claim(name);
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(FLOAT).addDims(values.length)
        .setRawData(ByteString.copyFrom(b.array())));
    return name;
  }

  /** Adds a node with one output, named after {@code scope} and {@code opType}; returns the output name. */
  public String op(String opType, String scope, List<String> inputs, AttributeProto... attrs) {
    String node = unique(scope + "/" + opType);
    return addNode(opType, node, inputs, node + "_output_0", attrs);
  }

  /** Adds a node whose single output has a given name (a graph output such as {@code present.0.key}). */
  public String opNamed(String opType, String scope, List<String> inputs, String outputName, AttributeProto... attrs) {
    claim(outputName);
    return addNode(opType, unique(scope + "/" + opType), inputs, outputName, attrs);
  }

  private String addNode(String opType, String node, List<String> inputs, String output, AttributeProto... attrs) {
    checkState(!built, "already built");
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(node).addAllInput(inputs).addOutput(output);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    opTypes.add(opType);
    return output;
  }

  /** An int attribute. */
  public static AttributeProto attr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  /** A float attribute. */
  public static AttributeProto attr(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  /** An ints attribute. */
  public static AttributeProto attrs(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  /** The operator types used so far. */
  public Set<String> opTypes() {
    return Set.copyOf(opTypes);
  }

  /** The data of every weight initializer, by name (lazy tensors; nothing is read here). */
  public Map<String, Tensor> tensorData() {
    return Map.copyOf(tensorData);
  }

  /** The model: IR version 8, default domain at {@code opset}. */
  public ModelProto build(int opset, Map<String, String> metadata) {
    built = true;
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setProducerName("ffnfuse")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph.build());
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  private String constant(String key, int type, long[] dims, byte[] raw) {
    return constants.computeIfAbsent(key, k -> {
      String name = unique("/const/" + (type == FLOAT ? "float" : "int64") + "_" + constants.size());
      names.add(name);
      TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type)
          .setRawData(ByteString.copyFrom(raw));
      for (long d : dims) {
        t.addDims(d);
      }
      graph.addInitializer(t);
      return name;
    });
  }

  private static byte[] bytes(long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  private void claim(String name) {
    checkArgument(names.add(name), "name '%s' used twice", name);
  }

  private String unique(String base) {
    String n = base;
    for (int k = 1; names.contains(n); k++) {
      n = base + "_" + k;
    }
    names.add(n);
    return n;
  }

  private static ValueInfoProto valueInfo(String name, int elemType, List<?> dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      if (d instanceof String p) {
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p));
      } else {
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
      }
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
  }

  /** The ONNX type code for a float dtype used as weight storage. */
  static int onnxType(DType t) {
    return t.onnxCode();
  }
}

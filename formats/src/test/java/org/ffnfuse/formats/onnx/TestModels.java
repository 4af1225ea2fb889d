package org.ffnfuse.formats.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Tiny ONNX models built in code for tests. */
final class TestModels {
  static final int IN = 4;
  static final int OUT = 300;
  static final String CUSTOM_DOMAIN = "org.ffnfuse.test";

  private TestModels() {}

  /** A model whose graph holds only these initializers (not runnable; for reader checks). */
  static ModelProto withInitializers(TensorProto... inits) {
    return ModelProto.newBuilder().setIrVersion(10).addOpsetImport(opset("", 20))
        .setGraph(GraphProto.newBuilder().setName("g").addAllInitializer(List.of(inits))).build();
  }

  /**
   * A runnable model {@code y = Scale(MatMul(x, w) + b, s)} with x float [1, 4], w [4, 300] (4800 bytes), b [300]
   * (1200 bytes), s [1] (4 bytes, via a model-local function {@code Scale} in a custom domain), plus node
   * metadata_props, doc strings and value_info as the dynamo exporter writes them. Seeded random weights.
   */
  static ModelProto linear(long seed) {
    Random rnd = new Random(seed);
    FunctionProto scale = FunctionProto.newBuilder().setName("Scale").setDomain(CUSTOM_DOMAIN)
        .addInput("X").addInput("S").addOutput("Y").addOpsetImport(opset("", 20))
        .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("X").addInput("S").addOutput("Y")).build();
    GraphProto graph = GraphProto.newBuilder().setName("linear").setDocString("a tiny linear layer")
        .addInput(value("x", 1, IN)).addOutput(value("y", 1, OUT)).addValueInfo(value("xw", 1, OUT))
        .addInitializer(floats("w", rnd, IN, OUT))
        .addInitializer(floats("b", rnd, OUT))
        .addInitializer(floats("s", rnd, 1))
        .addNode(NodeProto.newBuilder().setName("/l/MatMul").setOpType("MatMul").addInput("x").addInput("w")
            .addOutput("xw").setDocString("x @ w").addMetadataProps(entry("pkg.torch.onnx.name_scopes", "['l']")))
        .addNode(NodeProto.newBuilder().setName("/l/Add").setOpType("Add").addInput("xw").addInput("b")
            .addOutput("z"))
        .addNode(NodeProto.newBuilder().setName("/l/Scale").setOpType("Scale").setDomain(CUSTOM_DOMAIN)
            .addInput("z").addInput("s").addOutput("y"))
        .build();
    return ModelProto.newBuilder().setIrVersion(10).setProducerName("ffnfuse-test").setDocString("test model")
        .addOpsetImport(opset("", 20)).addOpsetImport(opset(CUSTOM_DOMAIN, 1)).addFunctions(scale)
        .addMetadataProps(entry("source", "TestModels.linear")).setGraph(graph).build();
  }

  /** Runs {@link #linear} by hand: y = (x w + b) s. */
  static float[] linearReference(ModelProto m, float[] x) {
    float[] w = floatsOf(m, "w");
    float[] b = floatsOf(m, "b");
    float s = floatsOf(m, "s")[0];
    float[] y = new float[OUT];
    for (int j = 0; j < OUT; j++) {
      float acc = 0;
      for (int i = 0; i < IN; i++) {
        acc += x[i] * w[i * OUT + j];
      }
      y[j] = (acc + b[j]) * s;
    }
    return y;
  }

  private static float[] floatsOf(ModelProto m, String name) {
    TensorProto t = m.getGraph().getInitializerList().stream().filter(i -> i.getName().equals(name)).findFirst()
        .orElseThrow();
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  /** A float tensor in raw_data with seeded random values. */
  static TensorProto floats(String name, Random rnd, long... dims) {
    int n = 1;
    for (long d : dims) {
      n *= (int) d;
    }
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) rnd.nextGaussian());
    }
    return raw(name, TensorProto.DataType.FLOAT_VALUE, b.array(), dims);
  }

  static TensorProto raw(String name, int dataType, byte[] bytes, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType)
        .setRawData(ByteString.copyFrom(bytes));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  /** An initializer whose data is external: {@code location}, {@code offset}, {@code length} as given. */
  static TensorProto external(String name, int dataType, String location, String offset, String length,
      long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", location));
    if (offset != null) {
      t.addExternalData(entry("offset", offset));
    }
    if (length != null) {
      t.addExternalData(entry("length", length));
    }
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  static Path save(ModelProto m, Path file) throws IOException {
    Files.write(file, m.toByteArray());
    return file;
  }

  static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  static OperatorSetIdProto opset(String domain, long version) {
    return OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version).build();
  }

  static AttributeProto tensorAttribute(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  private static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }

  /** Both protos with every initializer's data fields cleared: what must survive a round trip unchanged. */
  static ModelProto withoutInitializerData(ModelProto m) {
    GraphProto.Builder g = m.getGraph().toBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      g.setInitializer(i, g.getInitializer(i).toBuilder().clearRawData().clearFloatData().clearInt32Data()
          .clearInt64Data().clearDoubleData().clearUint64Data().clearExternalData().clearDataLocation());
    }
    return m.toBuilder().setGraph(g).build();
  }
}

package org.ffnfuse.converters.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operators of the default ONNX domain that ONNX Runtime's CUDA execution provider implements, with the element types
 * it registers them for, as listed in ONNX Runtime's {@code docs/OperatorKernels.md} ("Operators implemented by
 * CUDAExecutionProvider"; types shown for the opset-13+ kernels). Only the operators an exporter or a rewrite of
 * ours may emit are listed; anything else is reported as unsupported, so a graph that passes {@link #unsupported}
 * deploys on GPU without CPU fallback.
 *
 * <p>Exported graphs keep activations in float32 and index arithmetic in int64, both of which every listed operator
 * supports; large weights may be float16 feeding a {@code Cast}.
 */
public final class CudaOperators {
  private static final Set<String> FLOATS = Set.of("float", "float16", "double", "bfloat16");
  private static final Set<String> NUMERIC = Set.of("float", "float16", "double", "int32", "int64");
  private static final Set<String> ANY = Set.of("float", "float16", "double", "bfloat16", "int32", "int64", "bool");

  /** Operator type → element types of its main type constraint on the CUDA EP. */
  public static final Map<String, Set<String>> SUPPORTED = Map.ofEntries(
      Map.entry("Add", NUMERIC), Map.entry("Sub", NUMERIC), Map.entry("Mul", NUMERIC), Map.entry("Div", NUMERIC),
      Map.entry("Neg", NUMERIC), Map.entry("Pow", FLOATS), Map.entry("Sqrt", FLOATS), Map.entry("Reciprocal", FLOATS),
      Map.entry("Min", NUMERIC), Map.entry("Max", NUMERIC), Map.entry("Sum", FLOATS),
      Map.entry("MatMul", FLOATS), Map.entry("Gemm", FLOATS),
      Map.entry("ReduceMean", Set.of("float", "float16", "double", "int32")),
      Map.entry("ReduceSum", NUMERIC),
      Map.entry("Sigmoid", FLOATS), Map.entry("Tanh", FLOATS), Map.entry("Erf", FLOATS), Map.entry("Relu", FLOATS),
      Map.entry("Sin", Set.of("float", "float16", "double")), Map.entry("Cos", Set.of("float", "float16", "double")),
      Map.entry("Softmax", FLOATS), Map.entry("LayerNormalization", FLOATS),
      Map.entry("Gather", ANY), Map.entry("Concat", ANY), Map.entry("Slice", ANY), Map.entry("Reshape", ANY),
      Map.entry("Transpose", ANY), Map.entry("Unsqueeze", ANY), Map.entry("Squeeze", ANY), Map.entry("Shape", ANY),
      Map.entry("Identity", ANY), Map.entry("Expand", ANY), Map.entry("Split", ANY), Map.entry("Cast", ANY),
      Map.entry("Where", Set.of("float", "float16", "double", "bfloat16", "int32", "int64")),
      Map.entry("Equal", ANY), Map.entry("Less", NUMERIC), Map.entry("Greater", NUMERIC),
      Map.entry("LessOrEqual", NUMERIC), Map.entry("GreaterOrEqual", NUMERIC), Map.entry("Flatten", ANY),
      Map.entry("GatherND", ANY),
      Map.entry("Range", Set.of("float", "double", "int32", "int64")),
      Map.entry("ConstantOfShape", ANY), Map.entry("Trilu", ANY), Map.entry("CumSum", NUMERIC),
      Map.entry("Not", Set.of("bool")), Map.entry("And", Set.of("bool")), Map.entry("Or", Set.of("bool")),
      // Not a kernel: ONNX Runtime turns Constant nodes into initializers when it loads (and inlines) a graph.
      Map.entry("Constant", ANY));

  private CudaOperators() {}

  /**
   * The nodes of the main graph (and of model-local functions) whose operator the CUDA EP does not implement:
   * "{@code node '/x/Foo': op Foo (domain '')}"; empty when the model can run entirely on CUDA. A node calling a
   * model-local function (such as FFNFuse's {@code ai.ffnfuse.FusedFFN}) is accepted: ONNX Runtime inlines the call,
   * and the function's body is checked like the main graph ("{@code in function ai.ffnfuse.FusedFFN: node ...}").
   */
  public static List<String> unsupported(ModelProto model) {
    Set<String> local = new HashSet<>();
    model.getFunctionsList().forEach(f -> local.add(domain(f.getDomain()) + "." + f.getName()));
    List<String> out = new ArrayList<>();
    check(model.getGraph().getNodeList(), local, "", out);
    model.getFunctionsList().forEach(f -> check(f.getNodeList(), local,
        "in function " + domain(f.getDomain()) + "." + f.getName() + ": ", out));
    return out;
  }

  /** Whether every operator of {@code model} is listed. */
  public static boolean isCompatible(ModelProto model) {
    return unsupported(model).isEmpty();
  }

  private static void check(List<NodeProto> nodes, Set<String> localFunctions, String where, List<String> out) {
    for (NodeProto n : nodes) {
      if (localFunctions.contains(domain(n.getDomain()) + "." + n.getOpType())) {
        continue;
      }
      boolean defaultDomain = domain(n.getDomain()).isEmpty();
      if (!defaultDomain || !SUPPORTED.containsKey(n.getOpType())) {
        out.add(where + "node '" + n.getName() + "': op " + n.getOpType() + " (domain '" + n.getDomain() + "')");
      }
    }
  }

  private static String domain(String d) {
    return d.equals("ai.onnx") ? "" : d;
  }
}

package org.ffnfuse.converters.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class CudaOperatorsTest {
  static NodeProto node(String domain, String op, String name) {
    return NodeProto.newBuilder().setDomain(domain).setOpType(op).setName(name).addInput("x").addOutput("y").build();
  }

  static ModelProto model(List<NodeProto> main, FunctionProto... functions) {
    return ModelProto.newBuilder().setGraph(GraphProto.newBuilder().addAllNode(main))
        .addAllFunctions(List.of(functions)).build();
  }

  static FunctionProto function(String domain, String name, NodeProto... body) {
    return FunctionProto.newBuilder().setDomain(domain).setName(name).addInput("x").addOutput("y")
        .addAllNode(List.of(body)).build();
  }

  @Test
  void unsupported_callOfLocalFunctionWithSupportedBody_accepted() {
    ModelProto m = model(List.of(node("ai.ffnfuse", "FusedFFN", "call")),
        function("ai.ffnfuse", "FusedFFN", node("", "MatMul", "mm"), node("", "Sigmoid", "s"),
            node("", "Constant", "c")));
    assertEquals(List.of(), CudaOperators.unsupported(m));
  }

  @Test
  void unsupported_localFunctionWithUnsupportedBody_namesFunctionAndNode() {
    ModelProto m = model(List.of(node("ai.ffnfuse", "FusedFFN", "call")),
        function("ai.ffnfuse", "FusedFFN", node("", "NonMaxSuppression", "nms")));
    List<String> u = CudaOperators.unsupported(m);
    assertEquals(1, u.size());
    assertTrue(u.get(0).contains("function ai.ffnfuse.FusedFFN") && u.get(0).contains("nms"), u.get(0));
  }

  @Test
  void unsupported_customOpWithoutFunction_flagged() {
    ModelProto m = model(List.of(node("ai.ffnfuse", "FusedFFN", "call")),
        function("ai.ffnfuse", "Other", node("", "Relu", "r")));
    assertEquals(List.of("node 'call': op FusedFFN (domain 'ai.ffnfuse')"), CudaOperators.unsupported(m));
  }
}

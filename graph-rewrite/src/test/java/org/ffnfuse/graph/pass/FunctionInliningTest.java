package org.ffnfuse.graph.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

class FunctionInliningTest {
  static NodeProto node(String op, String name, List<String> in, String out) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out).build();
  }

  /** {@code F(a, b) = Relu(MatMul(a, b))} in domain {@code d}, called twice on x. */
  static Graph twoCalls(FunctionProto f) throws Exception {
    ModelProto m = new TinyGraph().input("x").weight("w", 4, 4)
        .node("d", "F", "x w -> y1").node("d", "F", "y1 w -> y2").output("y2").model();
    return Graph.of(m.toBuilder().addFunctions(f)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("d").setVersion(1)).build());
  }

  static FunctionProto reluMatMul() {
    return FunctionProto.newBuilder().setDomain("d").setName("F").addInput("a").addInput("b").addOutput("o")
        .addNode(node("MatMul", "mm", List.of("a", "b"), "t")).addNode(node("Relu", "relu", List.of("t"), "o"))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
  }

  @Test
  void run_twoCalls_bodiesWithFreshNamesAndCallsOutputs() throws Exception {
    PassResult r = new FunctionInlining().run(twoCalls(reluMatMul()));
    Graph g = r.graph();
    assertEquals(List.of("MatMul", "Relu", "MatMul", "Relu"), g.nodes().stream().map(Node::opType).toList());
    assertEquals("x", g.nodes().get(0).input(0));
    assertEquals("y1", g.nodes().get(1).output(0));
    assertEquals("y1", g.nodes().get(2).input(0));
    assertEquals("y2", g.nodes().get(3).output(0));
    assertTrue(!g.nodes().get(0).output(0).equals(g.nodes().get(2).output(0)), "inner values renamed per call");
    assertEquals("FunctionInlining: inlined 2 function calls", r.report());
  }

  @Test
  void run_noCalls_unchanged() throws Exception {
    Graph g = new TinyGraph().input("x").node("Relu", "x -> y").output("y").build();
    assertEquals(g, new FunctionInlining().run(g).graph());
  }

  @Test
  void run_functionWithAttributes_refused() throws Exception {
    FunctionProto f = reluMatMul().toBuilder().addAttribute("alpha").build();
    assertThrows(IllegalArgumentException.class, () -> new FunctionInlining().run(twoCalls(f)));
  }

  @Test
  void run_bodyReadsUndefinedValue_refused() throws Exception {
    FunctionProto f = reluMatMul().toBuilder().setNode(1, node("Add", "add", List.of("t", "ghost"), "o")).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FunctionInlining().run(twoCalls(f)));
    assertTrue(e.getMessage().contains("ghost"), e.getMessage());
  }
}

package org.ffnfuse.graph.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

class PassManagerTest {
  /** A removed attention as the dynamo exporter writes it: x + Expand(0, Shape(x)), then an FFN stand-in. */
  static Graph zeroBranch() {
    return new TinyGraph().input("x").scalar("zero", 0).node("Shape", "x -> sh").node("Expand", "zero sh -> z")
        .node("Add", "x z -> s").node("Relu", "s -> y").output("y").build();
  }

  @Test
  void run_zeroAddElimination_removesAddAndItsZeros() {
    PassManager.Outcome o = PassManager.of(new ZeroResidualAddElimination()).run(zeroBranch());
    assertEquals(List.of("Relu"), o.graph().nodes().stream().map(Node::opType).toList());
    assertEquals("x", o.graph().nodes().get(0).input(0));
    assertTrue(o.reports().get(0).startsWith("ZeroAddElimination: removed 1 zero adds"), o.reports().get(0));
  }

  @Test
  void run_zeroAddWithNonZeroConstant_leavesGraph() {
    Graph g = new TinyGraph().input("x").scalar("one", 1).node("Shape", "x -> sh").node("Expand", "one sh -> z")
        .node("Add", "x z -> s").node("Relu", "s -> y").output("y").build();
    assertEquals(4, PassManager.of(new ZeroResidualAddElimination()).run(g).graph().nodes().size());
  }

  @Test
  void run_passLeavingDanglingInput_throwsNamingTheValue() {
    Pass dangling = new Pass() {
      @Override
      public String name() {
        return "Dangling";
      }

      @Override
      public PassResult run(Graph g) {
        var r = g.rewriter();
        r.add(NodeProto.newBuilder().setOpType("Neg").addInput("nowhere").addOutput("n").build());
        return new PassResult(r.apply(), "unreachable");
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PassManager.of(dangling).run(zeroBranch()));
    assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
  }
}

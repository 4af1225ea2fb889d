package org.ffnfuse.graph.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ExposeValuesTest {
  private static Graph chain() {
    return new TinyGraph().input("x").weight("w", 4, 4).node("MatMul", "x w -> h").node("Relu", "h -> r")
        .node("Neg", "r -> y").output("y").build();
  }

  @Nested
  class Run {
    @Test
    void run_twoValues_appendsOutputsInOrderAndKeepsNodes() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("r", "exposed.r");
      m.put("x", "exposed.x");
      Graph g = chain();
      PassResult res = ExposeValues.of(m).run(g);
      Graph out = res.graph();
      assertEquals(List.of("y", "exposed.r", "exposed.x"), out.outputs());
      assertEquals("r", out.producer("exposed.r").orElseThrow().input(0));
      assertTrue(out.producer("exposed.r").orElseThrow().is("Identity"));
      assertEquals(g.nodes().size() + 2, out.nodes().size());
      List<String> oldOps = g.nodes().stream().map(Node::opType).toList();
      assertEquals(oldOps, out.nodes().stream().map(Node::opType).toList().subList(0, oldOps.size()));
      assertEquals("ExposeValues: exposed 2 values as graph outputs", res.report());
    }

    @Test
    void run_keepsInputGraphUnchanged() {
      Graph g = chain();
      ExposeValues.of(Map.of("h", "out.h")).run(g);
      assertEquals(List.of("y"), g.outputs());
    }

    @Test
    void run_initializerDataStillReadable() throws Exception {
      Graph g = chain();
      Graph out = ExposeValues.of(Map.of("h", "out.h")).run(g).graph();
      assertEquals(16, out.tensor("w").toFloats().length);
    }
  }

  @Nested
  class Refuses {
    @Test
    void run_unknownValue_throwsNamingIt() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ExposeValues.of(Map.of("nowhere", "o")).run(chain()));
      assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void run_outputNameTaken_throws() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ExposeValues.of(Map.of("h", "r")).run(chain()));
      assertTrue(e.getMessage().contains("already has a value"), e.getMessage());
    }

    @Test
    void of_duplicateOutputNames_throws() {
      assertThrows(IllegalArgumentException.class, () -> ExposeValues.of(Map.of("h", "o", "r", "o")));
    }

    @Test
    void of_empty_throws() {
      assertThrows(IllegalArgumentException.class, () -> ExposeValues.of(Map.of()));
    }
  }
}

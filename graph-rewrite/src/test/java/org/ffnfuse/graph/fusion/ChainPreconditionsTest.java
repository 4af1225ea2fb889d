package org.ffnfuse.graph.fusion;

import static org.ffnfuse.graph.testing.TinyDecoder.attention;
import static org.ffnfuse.graph.testing.TinyDecoder.block;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffn;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.ffnfuse.graph.testing.TinyDecoder.norm;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * FfnFusionPass near misses on tiny decoders: what it refuses to fuse and what the message says.
 */
class ChainPreconditionsTest {
  private static String refusal(Graph g, String plan) {
    FfnFusionPass pass = FfnFusionPass.of(FusionPlan.parse(plan), FfnFusionPass.Options.defaults());
    return assertThrows(IllegalArgumentException.class, () -> pass.run(g)).getMessage();
  }

  /**
   * Block 0 attention + FFN, blocks 1 and 2 FFN only; {@code extra} adds to the graph before the
   * head.
   */
  private static Graph chain(UnaryOperator<TinyGraph> extra) {
    TinyGraph t = embedded();
    block(t, "h", "b0");
    ffnBlock(t, "b0y", "b1");
    ffnBlock(t, "b1y", "b2");
    return head(extra.apply(t), "b2y").build();
  }

  @Test
  void run_unrecognizedGraph_namesThePassAndDiagnosis() {
    Graph g = new TinyGraph().input("ids").node("Relu", "ids -> y").output("y").build();
    String m = refusal(g, "0-1");
    assertTrue(m.startsWith("FfnFusion needs a recognized transformer graph: "), m);
    assertTrue(m.contains("no Gather"), m);
  }

  @Test
  void run_innerStreamValueIsAGraphOutput_refused() {
    String m = refusal(chain(t -> t.output("b1y")), "0-2");
    assertTrue(m.contains("b1y, computed inside the chain, is a graph output"), m);
  }

  @Test
  void run_innerValueReadOutsideTheChain_refusedNamingTheReader() {
    String m = refusal(chain(t -> t.node("Relu", "b1fo -> side").output("side")), "0-2");
    assertTrue(m.contains("b1fo, computed inside the chain, is also read by"), m);
    assertTrue(m.contains("Relu"), m);
  }

  @Test
  void run_innerStreamReadOnlyByShape_fused() {
    Graph g = chain(t -> t.node("Shape", "b0y -> shp").output("shp"));
    Graph fused =
        FfnFusionPass.of(FusionPlan.parse("0-2"), FfnFusionPass.Options.defaults()).run(g).graph();
    assertTrue(fused.producer("shp").orElseThrow().is("Shape"));
    assertTrue(fused.initializer("b1down").isEmpty());
  }

  @Test
  void run_firstNormOutputReadOutside_refused() {
    String m = refusal(chain(t -> t.node("Relu", "b0n2 -> side").output("side")), "0-2");
    assertTrue(m.contains("block 0's norm output b0n2 is also read by"), m);
  }

  @Test
  void run_parallelResidualMember_refused() {
    TinyGraph t = embedded();
    norm(t, "h", "n");
    attention(t, "n", "a", "ao");
    ffn(t, "n", "f", "fo");
    t.node("Add", "fo ao -> br").node("Add", "h br -> x");
    ffnBlock(t, "x", "b1");
    String m = refusal(head(t, "b1y").build(), "0-1");
    assertTrue(m.contains("chain 0-1: block 0 has a parallel residual"), m);
  }
}

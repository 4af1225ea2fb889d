package org.ffnfuse.graph.fusion;

import static org.ffnfuse.graph.testing.TinyDecoder.block;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pass.PassResult;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * ParallelFormPass on a tiny decoder (block 0 attention + FFN, blocks 1 and 2 FFN only): the
 * chain's FFNs all read the chain's input stream and one Sum replaces the residual Adds.
 */
class ParallelFormWiringTest {
  @Test
  void run_chainZeroToTwo_everyNormReadsTheChainInputAndOneSum() {
    TinyGraph t = embedded();
    block(t, "h", "b0");
    ffnBlock(t, "b0y", "b1");
    ffnBlock(t, "b1y", "b2");
    Graph g = head(t, "b2y").build();
    PassResult r = ParallelFormPass.of(FusionPlan.parse("0-2")).run(g);
    Graph p = r.graph();
    assertEquals("ParallelForm: 1 chain(s), 3 FFNs read their chain's input", r.report());
    Node sum = p.producer("b2y").orElseThrow();
    assertTrue(sum.is("Sum"), sum.toString());
    assertEquals(List.of("b0x1", "b0fo", "b1fo", "b2fo"), sum.inputs());
    for (int k = 0; k <= 2; k++) {
      Node norm = p.producer("b" + k + "n2").orElseThrow();
      assertEquals("b0x1", norm.input(0), "block " + k + "'s norm reads the chain input");
    }
    assertTrue(p.producer("b0y").isEmpty());
    assertTrue(p.producer("b1y").isEmpty());
    // Attention's residual Add before the chain is untouched.
    assertEquals(List.of("h", "b0ao"), p.producer("b0x1").orElseThrow().inputs());
  }
}

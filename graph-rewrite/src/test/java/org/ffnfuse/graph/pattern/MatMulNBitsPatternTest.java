package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/** MatMulNBitsPattern: the int4 linear layer of GenAI builder models (K 64, N 48, block 32). */
class MatMulNBitsPatternTest {
  private static TinyGraph base() {
    return new TinyGraph().input("x").bytes("w", 48, 2, 16).weight("s", 48, 2);
  }

  private static Graph nbits(TinyGraph t, String io, long k, long blockSize) {
    return t.node("com.microsoft", "MatMulNBits", io, integer("K", k), integer("N", 48), integer("bits", 4),
        integer("block_size", blockSize)).output("y").build();
  }

  private static Match<LinearMatch> match(Graph g) {
    return new MatMulNBitsPattern().match(g, g.producer("y").orElseThrow());
  }

  @Test
  void match_int4WithoutZeroPoints_linearWithQuantization() {
    Graph g = nbits(base(), "x w s -> y", 64, 32);
    LinearMatch l = match(g).found().orElseThrow();
    assertEquals(64, l.in());
    assertEquals(48, l.out());
    assertEquals("w", l.weight());
    assertEquals(Orientation.OUT_IN, l.orientation());
    assertEquals(new BlockQuantization(4, 32, "s", Optional.empty()), l.quantization().orElseThrow());
    assertTrue(l.bias().isEmpty());
  }

  @Test
  void linearsAt_nbitsOutput_sameMatchAsPattern() {
    Graph g = nbits(base(), "x w s -> y", 64, 32);
    assertEquals(match(g).found(), Linears.at(g, "y").found());
    assertTrue(Linears.isCore(g, g.producer("y").orElseThrow()));
  }

  @Test
  void match_biasInput_recordedAsBias() {
    Graph g = nbits(base().weight("b", 48), "x w s _ _ b -> y", 64, 32);
    assertEquals("b", match(g).found().orElseThrow().bias().orElseThrow());
  }

  @Test
  void match_kDisagreesWithPackedWeight_misses() {
    assertFalse(match(nbits(base(), "x w s -> y", 96, 32)).isFound());
  }

  @Test
  void match_floatWeight_misses() {
    Graph g = nbits(new TinyGraph().input("x").weight("w", 48, 2, 16).weight("s", 48, 2), "x w s -> y", 64, 32);
    assertFalse(match(g).isFound());
  }

  @Test
  void match_scalesCountWrong_misses() {
    Graph g = nbits(new TinyGraph().input("x").bytes("w", 48, 2, 16).weight("s", 48, 3), "x w s -> y", 64, 32);
    assertFalse(match(g).isFound());
  }

  @Test
  void match_actOrderGroupIndex_misses() {
    Graph g = nbits(base().input("gidx"), "x w s _ gidx -> y", 64, 32);
    assertFalse(match(g).isFound());
  }

  @Test
  void match_zeroPointsNotInitializer_misses() {
    Graph g = nbits(base().input("zp"), "x w s zp -> y", 64, 32);
    assertFalse(match(g).isFound());
  }

  @Test
  void match_blockSizeNotPowerOfTwo_misses() {
    assertFalse(match(nbits(base(), "x w s -> y", 64, 24)).isFound());
  }
}

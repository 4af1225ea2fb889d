package org.ffnfuse.graph.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.NormForm;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.structure.AttentionBranch;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.FfnBranch;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/**
 * ChainBoundaries on structures assembled by hand: each norm reads a stream value named after its block
 * ({@code a3} into block 3's attention norm, {@code f3} into its FFN norm, {@code final} into the final norm), so the
 * expected boundaries can be read off the layout.
 */
class ChainBoundariesLayoutTest {
  static final Node SKIP_NODE = skipNode();

  static Node skipNode() {
    Graph g = new TinyGraph().input("x").input("r")
        .node("com.microsoft", "SkipSimplifiedLayerNormalization", "x r -> y").output("y").build();
    return g.producer("y").orElseThrow();
  }

  static NormMatch norm(String input) {
    return new NormMatch(NormKind.RMS_NORM, NormForm.DECOMPOSED, input, Optional.empty(), input + "n",
        Optional.empty(), Optional.empty(), Optional.empty(), 0, 1e-5, List.of());
  }

  static NormMatch skipNorm(String input, Optional<String> sum) {
    return new NormMatch(NormKind.RMS_NORM, NormForm.SKIP_OPERATOR, input, Optional.of("skip"), input + "n", sum,
        Optional.empty(), Optional.empty(), 0, 1e-5, List.of(SKIP_NODE));
  }

  /** {@code A} attention + FFN, {@code F} FFN only, {@code a} attention only, {@code P} parallel residual. */
  static TransformerStructure structure(String layout, NormMatch finalNorm) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < layout.length(); i++) {
      char c = layout.charAt(i);
      Optional<AttentionBranch> a = c == 'F' ? Optional.empty()
          : Optional.of(new AttentionBranch("decomposed", norm("a" + i), "ao" + i, List.of(), null));
      Optional<FfnBranch> f = c == 'a' ? Optional.empty() : Optional.of(new FfnBranch(null, norm("f" + i), null));
      blocks.add(new Block(i, a, f, c == 'P'));
    }
    return new TransformerStructure(null, blocks, finalNorm, null, List.of());
  }

  static ChainBoundary one(TransformerStructure s, int first, int last) {
    return ChainBoundaries.of(s, List.of(new ChainRange(first, last))).get(0);
  }

  static String error(TransformerStructure s, int first, int last) {
    return assertThrows(IllegalArgumentException.class, () -> one(s, first, last)).getMessage();
  }

  @Test
  void of_chainBeforeAttentionBlock_outputIsItsAttentionNormInput() {
    ChainBoundary b = one(structure("AFFA", norm("final")), 0, 2);
    assertEquals(new ChainRange(0, 2), b.chain());
    assertEquals("f0", b.input());
    assertEquals("a3", b.output());
  }

  @Test
  void of_chainBeforeFfnOnlyBlock_outputIsItsFfnNormInput() {
    ChainBoundary b = one(structure("AFFF", norm("final")), 1, 2);
    assertEquals("f1", b.input());
    assertEquals("f3", b.output());
  }

  @Test
  void of_chainToTheEnd_outputIsFinalNormInput() {
    assertEquals("final", one(structure("AFF", norm("final")), 0, 2).output());
  }

  @Test
  void of_severalChains_inOrder() {
    List<ChainBoundary> b = ChainBoundaries.of(structure("AFAF", norm("final")),
        List.of(new ChainRange(0, 1), new ChainRange(2, 3)));
    assertEquals(List.of("f0", "f2"), b.stream().map(ChainBoundary::input).toList());
    assertEquals(List.of("a2", "final"), b.stream().map(ChainBoundary::output).toList());
  }

  @Test
  void of_blockWithoutFfn_throwsNamingIt() {
    String why = error(structure("AaF", norm("final")), 0, 2);
    assertTrue(why.contains("block 1 has no FFN"), why);
  }

  @Test
  void of_parallelResidual_throwsNamingIt() {
    String why = error(structure("PFF", norm("final")), 0, 1);
    assertTrue(why.contains("block 0 has a parallel residual"), why);
  }

  @Test
  void of_attentionAfterTheFirstBlock_throwsNamingIt() {
    String why = error(structure("AFA", norm("final")), 0, 2);
    assertTrue(why.contains("block 2 has attention"), why);
  }

  @Test
  void of_pastTheEnd_throwsNamingTheBlocks() {
    String why = error(structure("AFF", norm("final")), 1, 3);
    assertTrue(why.contains("leaves the model (blocks 0-2)"), why);
  }

  @Test
  void of_nextBlockWithNeitherBranch_throws() {
    List<Block> blocks = new ArrayList<>(structure("AF", norm("final")).blocks());
    blocks.add(new Block(2, Optional.empty(), Optional.empty(), false));
    TransformerStructure s = new TransformerStructure(null, blocks, norm("final"), null, List.of());
    String why = error(s, 0, 1);
    assertTrue(why.contains("block 2 has neither attention nor FFN"), why);
  }

  @Test
  void of_skipNormWithSum_streamIsTheSum() {
    assertEquals("sum", one(structure("AFF", skipNorm("final", Optional.of("sum"))), 0, 2).output());
  }

  @Test
  void of_skipNormWithoutSum_throwsNamingTheOp() {
    String why = error(structure("AFF", skipNorm("final", Optional.empty())), 0, 2);
    assertTrue(why.contains("final norm is a SkipSimplifiedLayerNormalization"), why);
  }

  @Test
  void chainBoundary_nullsRejected() {
    ChainRange c = new ChainRange(0, 1);
    assertThrows(NullPointerException.class, () -> new ChainBoundary(null, "a", "b"));
    assertThrows(NullPointerException.class, () -> new ChainBoundary(c, null, "b"));
    assertThrows(NullPointerException.class, () -> new ChainBoundary(c, "a", null));
    assertThrows(NullPointerException.class, () -> ChainBoundaries.of(null, List.of(c)));
  }
}

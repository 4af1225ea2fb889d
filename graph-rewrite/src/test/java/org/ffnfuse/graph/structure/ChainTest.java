package org.ffnfuse.graph.structure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.graph.structure.ModelSummary.BlockSummary;
import org.ffnfuse.graph.structure.ModelSummary.ChainSummary;
import org.junit.jupiter.api.Test;

/**
 * Chain.of and ModelSummary.chainsOf on block layouts spelled as strings: {@code A} attention + FFN, {@code F} FFN
 * only, {@code a} attention only, {@code -} neither. The expected chains are read off by hand.
 */
class ChainTest {
  static final AttentionBranch ATTENTION = new AttentionBranch("decomposed", null, "a", List.of(), null);
  static final FfnBranch FFN = new FfnBranch(null, null, null);

  static List<Block> blocks(String layout) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < layout.length(); i++) {
      char c = layout.charAt(i);
      out.add(new Block(i, c == 'A' || c == 'a' ? Optional.of(ATTENTION) : Optional.empty(),
          c == 'A' || c == 'F' ? Optional.of(FFN) : Optional.empty(), false));
    }
    return out;
  }

  static List<BlockSummary> summaries(String layout) {
    List<BlockSummary> out = new ArrayList<>();
    for (int i = 0; i < layout.length(); i++) {
      char c = layout.charAt(i);
      boolean ffn = c == 'A' || c == 'F';
      out.add(new BlockSummary(i, c == 'A' || c == 'a', "decomposed", ffn ? "swiglu" : "none", ffn ? 64 : 0,
          "silu", "rmsnorm", false, 0, 0));
    }
    return out;
  }

  static void assertChains(String layout, List<Chain> want) {
    assertEquals(want, Chain.of(blocks(layout)), layout);
    assertEquals(want.stream().map(c -> new ChainSummary(c.first(), c.last())).toList(),
        ModelSummary.chainsOf(summaries(layout)), layout);
  }

  @Test
  void attentionThenFfns_oneChainFromTheAttentionBlock() {
    assertChains("AAFFFA", List.of(new Chain(1, 4)));
  }

  @Test
  void runAtTheEnd_closedByTheEnd() {
    assertChains("AFF", List.of(new Chain(0, 2)));
    assertChains("FF", List.of(new Chain(0, 1)));
  }

  @Test
  void singleFfns_noChain() {
    assertChains("AAAA", List.of());
    assertChains("AF-F", List.of(new Chain(0, 1)));
    assertChains("F", List.of());
    assertChains("", List.of());
  }

  @Test
  void blockWithoutFfn_breaksTheRun() {
    assertChains("FF-FF", List.of(new Chain(0, 1), new Chain(3, 4)));
    assertChains("FFaFF", List.of(new Chain(0, 1), new Chain(3, 4)));
  }

  @Test
  void attentionInsideARun_startsANewChain() {
    assertChains("FFFAFF", List.of(new Chain(0, 2), new Chain(3, 5)));
    assertChains("AFAF", List.of(new Chain(0, 1), new Chain(2, 3)));
  }

  @Test
  void chain_lengthAndValidation() {
    assertEquals(6, new Chain(8, 13).length());
    assertThrows(IllegalArgumentException.class, () -> new Chain(3, 3));
    assertThrows(IllegalArgumentException.class, () -> new Chain(-1, 2));
    assertEquals(2, new Chain(0, 1).length());
  }

  @Test
  void chainOf_blockInsideOrOutside() {
    TransformerStructure s = new TransformerStructure(null, blocks("AFFAFF"), null, null,
        List.of(new Chain(0, 2), new Chain(3, 5)));
    assertEquals(Optional.of(new Chain(0, 2)), s.chainOf(0));
    assertEquals(Optional.of(new Chain(0, 2)), s.chainOf(2));
    assertEquals(Optional.of(new Chain(3, 5)), s.chainOf(3));
    assertEquals(Optional.of(new Chain(3, 5)), s.chainOf(5));
    assertEquals(Optional.empty(), s.chainOf(6));
    assertEquals(Optional.empty(), s.chainOf(-1));
  }
}

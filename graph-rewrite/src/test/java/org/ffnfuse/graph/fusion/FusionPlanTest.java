package org.ffnfuse.graph.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FusionPlanTest {
  /** nas-austen-16l: attention in 0..7 and 15, none in 8..14, an FFN everywhere. */
  private static List<BlockRole> nasAusten() {
    List<BlockRole> b = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      b.add(new BlockRole(i < 8 || i == 15, true));
    }
    return b;
  }

  @Test
  void parse_rangesAndSingles_sorted() {
    FusionPlan p = FusionPlan.parse("20-25, 8-13,3");
    assertEquals(List.of(new ChainRange(3, 3), new ChainRange(8, 13), new ChainRange(20, 25)), p.chains());
    assertEquals("3-3,8-13,20-25", p.toString());
  }

  @Test
  void parse_garbage_namesTheItem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusionPlan.parse("8-x"));
    assertTrue(e.getMessage().contains("'8-x'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FusionPlan.parse("9-8"));
    assertThrows(IllegalArgumentException.class, () -> FusionPlan.parse(" , "));
    assertThrows(IllegalArgumentException.class, () -> FusionPlan.parse("1-2-3"));
  }

  @Test
  void check_chainStartingAtAttentionBlock_isAccepted() {
    assertEquals(Optional.empty(), FusionPlan.parse("7-14").problem(nasAusten()));
    assertEquals(Optional.empty(), FusionPlan.parse("8-13").problem(nasAusten()));
  }

  @Test
  void check_attentionInsideChain_isRefused() {
    String p = FusionPlan.parse("6-10").problem(nasAusten()).orElseThrow();
    assertTrue(p.contains("block 7 has attention"), p);
    assertTrue(FusionPlan.parse("12-15").problem(nasAusten()).orElseThrow().contains("block 15"));
  }

  @Test
  void check_pastTheEnd_andOverlap_areRefused() {
    assertTrue(FusionPlan.parse("14-16").problem(nasAusten()).orElseThrow().contains("end of the model"));
    assertTrue(FusionPlan.parse("8-11,11-13").problem(nasAusten()).orElseThrow().contains("overlap"));
  }

  @Test
  void check_blockWithoutFfn_isRefused() {
    List<BlockRole> b = nasAusten();
    b.set(10, new BlockRole(false, false));
    assertTrue(FusionPlan.parse("8-13").problem(b).orElseThrow().contains("block 10 has no FFN"));
    assertThrows(IllegalArgumentException.class, () -> FusionPlan.parse("8-13").check(b));
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class NemotronNasParserTest {
  /** Blocks: full (group 2), attention no_op + ffn_mult 2.5, linear attention + linear FFN, full (group 4) + no FFN. */
  static ObjectNode nas(Style style) {
    ObjectNode n = TinyConfigs.llamaLike("nemotron-nas", style);
    n.remove("num_key_value_heads");
    n.remove("intermediate_size");
    n.put("num_hidden_layers", 4);
    n.put("hidden_size", 384);
    ArrayNode b = n.putArray("block_configs");
    block(b, false, false, 2, false, false, 1.3);
    block(b, true, false, null, false, false, 2.5);
    block(b, false, true, null, false, true, null);
    block(b, false, false, 4, true, false, null);
    return n;
  }

  static void block(ArrayNode arr, boolean aNoOp, boolean aLinear, Integer group, boolean fNoOp, boolean fLinear,
      Double mult) {
    ObjectNode o = arr.addObject();
    ObjectNode a = o.putObject("attention").put("no_op", aNoOp).put("replace_with_linear", aLinear);
    if (group == null) {
      a.putNull("n_heads_in_group");
    } else {
      a.put("n_heads_in_group", group);
    }
    ObjectNode f = o.putObject("ffn").put("no_op", fNoOp).put("replace_with_linear", fLinear);
    if (mult == null) {
      f.putNull("ffn_mult");
    } else {
      f.put("ffn_mult", mult);
    }
  }

  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_mixedBlocks_givesPerBlockKinds(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(nas(style));
    assertEquals(ModelFamily.NEMOTRON_NAS, c.family());
    // 2·1.3·384/3 = 332.8 → 332 → 512; 2·2.5·384/3 = 640 → 768.
    assertEquals(BlockConfig.of(AttentionConfig.full(4, 2, 96), FfnConfig.gated(512)), c.block(0));
    assertEquals(BlockConfig.of(AttentionConfig.none(), FfnConfig.gated(768)), c.block(1));
    assertEquals(BlockConfig.of(AttentionConfig.linear(), FfnConfig.linear()), c.block(2));
    assertEquals(BlockConfig.of(AttentionConfig.full(4, 1, 96), FfnConfig.none()), c.block(3));
  }

  @Test
  void parse_blockCountMismatch_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    n.put("num_hidden_layers", 5);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("block_configs has 4 entries but num_hidden_layers is 5"), e.getMessage());
  }

  @Test
  void parse_groupNotDividingHeads_failsNamingBlock() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("block_configs").get(3).get("attention")).put("n_heads_in_group", 3);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'block_configs[3].attention.n_heads_in_group'"), e.getMessage());
  }

  @Test
  void parse_fullAttentionWithoutGroup_failsNamingField() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("block_configs").get(0).get("attention")).putNull("n_heads_in_group");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'block_configs[0].attention.n_heads_in_group' is missing"),
        e.getMessage());
  }

  @Test
  void parse_ffnWithoutMult_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("block_configs").get(1).get("ffn")).remove("ffn_mult");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'block_configs[1].ffn.ffn_mult'"), e.getMessage());
  }

  @Test
  void parse_noOpAndLinearBoth_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_5);
    ((ObjectNode) n.get("block_configs").get(2).get("ffn")).put("no_op", true);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'block_configs[2].ffn.no_op'"), e.getMessage());
  }

  /** Block 0 has full attention and a SwiGLU FFN, block 1 no attention, block 2 linear attention and FFN. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "0 | attention | window_length | 4096",
    "0 | attention | num_sink_tokens | 4",
    "0 | attention | use_prefill_window_in_sink_attention | true",
    "0 | attention | unshifted_sink | true",
    "1 | attention | sparsify | [\"q_proj\"]",
    "0 | attention | mamba | {\"state_dim\": 16}",
    "2 | attention | llama4 | {}",
    "0 | ffn | sparsify | [\"up_proj\"]",
    "1 | ffn | moe | {\"num_local_experts\": 8}",
    "0 | ffn | gated | false",
    "0 | . | parallel_blocks | [{}]",
  })
  void parse_unimplementedBlockField_failsNamingBlockAndField(int block, String part, String field, String json)
      throws Exception {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ObjectNode b = (ObjectNode) n.get("block_configs").get(block);
    ObjectNode target = part.equals(".") ? b : (ObjectNode) b.get(part);
    target.set(field, TinyConfigs.MAPPER.readTree(json));
    String path = "block_configs[" + block + "]." + (part.equals(".") ? "" : part + ".") + field;
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("field '" + path + "': "), e.getMessage());
    assertTrue(e.getMessage().contains("which FFNFuse does not implement"), e.getMessage());
  }

  /** The values NVIDIA's own configs carry (nas-austen-16l has them all) and those its code clears are accepted. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "0 | attention | window_length | null",
    "0 | attention | unshifted_sink | false",
    "0 | attention | sparsify | []",
    "1 | attention | window_length | 4096",
    "2 | attention | num_sink_tokens | 4",
    "0 | ffn | gated | true",
    "0 | ffn | moe | null",
    "0 | ffn | hidden_act | \"silu\"",
    "0 | ffn | intermediate_size | 512",
    "0 | . | parallel_blocks | null",
  })
  void parse_neutralBlockField_accepted(int block, String part, String field, String json) throws Exception {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ObjectNode b = (ObjectNode) n.get("block_configs").get(block);
    (part.equals(".") ? b : (ObjectNode) b.get(part)).set(field, TinyConfigs.MAPPER.readTree(json));
    assertEquals(TinyConfigs.parse(nas(Style.TRANSFORMERS_4)).blocks(), TinyConfigs.parse(n).blocks());
  }

  @Test
  void parse_blockActivationDiffersFromModel_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("block_configs").get(1).get("ffn")).put("hidden_act", "relu");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().endsWith("field 'block_configs[1].ffn.hidden_act': \"relu\" (string) differs from the"
        + " model's hidden_act (silu); per-block activations are not implemented"), e.getMessage());
  }

  @Test
  void parse_blockIntermediateSizeDiffersFromMult_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("block_configs").get(0).get("ffn")).put("intermediate_size", 500);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().endsWith("field 'block_configs[0].ffn.intermediate_size': 500 (integer) differs from"
        + " the width 512 that ffn_mult gives; one of them is wrong"), e.getMessage());
  }

  @Test
  void parse_ffnMultOverWidthLimit_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_4);
    ((ObjectNode) n.get("block_configs").get(0).get("ffn")).put("ffn_mult", 5000.0);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'block_configs[0].ffn.ffn_mult': 5000.0 gives an FFN width of"
        + " 1280000 for hidden_size 384 (expected 1..1048576)"), e.getMessage());
  }

  @Test
  void parse_blockNotAnObject_fails() {
    ObjectNode n = nas(Style.TRANSFORMERS_5);
    ((ArrayNode) n.get("block_configs")).set(1, TinyConfigs.MAPPER.getNodeFactory().textNode("x"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'block_configs[1]': expected an object"), e.getMessage());
  }
}

package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.FfnKind;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NemotronNasCheckpointWriterTest {
  @TempDir Path tmp;

  private static final Path NAS = Fixtures.bundled("nas-austen-16l");

  private static ExportModel load(SafetensorsCheckpoint ck, Path dir) throws IOException {
    return OnnxExporter.load(HfConfigReader.read(dir), ck);
  }

  @Nested
  class Fusion {
    @Test
    void fuse8to13_renumbered_writesElevenBlocksWithWideFfn() throws IOException {
      Path out = tmp.resolve("fused");
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(NAS)) {
        ExportModel fused = ModelFusion.fuse(load(ck, NAS), FusionPlan.parse("8-13"), DType.F32, false);
        NemotronNasCheckpointWriter.write(fused, NAS, out, DType.F32, 4L << 20);
      }
      ModelConfig c = HfConfigReader.read(out);
      assertEquals(11, c.numLayers());
      assertEquals(6 * 512, c.block(8).ffn().intermediateSize());
      assertEquals(AttentionKind.NONE, c.block(8).attention().kind());
      assertEquals(AttentionKind.NONE, c.block(9).attention().kind(), "old block 14");
      assertEquals(AttentionKind.FULL, c.block(10).attention().kind(), "old block 15");
      assertEquals(24.0, HfConfigReader.read(out).raw().get("block_configs").get(8).get("ffn").get("ffn_mult")
          .asDouble());
      assertTrue(Files.exists(out.resolve("tokenizer.json")));
      assertTrue(Files.exists(out.resolve("model.safetensors.index.json")), "sharded like requested");
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(out)) {
        assertEquals(DType.F32, ck.tensor("model.layers.8.mlp.gate_proj.weight").dtype());
        assertFalse(ck.contains("model.layers.8.input_layernorm.weight"));
        assertFalse(ck.contains("model.layers.11.mlp.up_proj.weight"));
        float[] gain = ck.tensor("model.layers.8.post_attention_layernorm.weight").toFloats();
        for (float g : gain) {
          assertEquals(1f, g, "the fused block's norm has unit gain");
        }
      }
    }

    @Test
    void fusedGateRows_areMemberRowsScaledByTheirGain() throws IOException {
      Path out = tmp.resolve("fused");
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(NAS)) {
        ExportModel fused = ModelFusion.fuse(load(ck, NAS), FusionPlan.parse("8-10"), DType.F32, false);
        NemotronNasCheckpointWriter.write(fused, NAS, out, DType.F32, 0);
        try (SafetensorsCheckpoint f = SafetensorsCheckpoint.open(out)) {
          Tensor gate = f.tensor("model.layers.8.mlp.gate_proj.weight");
          assertEquals(List.of(1536L, 192L), gate.shape().toList());
          // Row 512 + r is block 9's gate row r times block 9's FFN norm gain, column by column.
          float[] row = gate.toFloats(513L * 192, 192);
          float[] src = ck.tensor("model.layers.9.mlp.gate_proj.weight").toFloats(192, 192);
          float[] g = ck.tensor("model.layers.9.post_attention_layernorm.weight").toFloats();
          for (int j = 0; j < 192; j++) {
            assertEquals(src[j] * g[j], row[j], Math.abs(src[j] * g[j]) * 1e-6f);
          }
          // Down columns concatenate: row 0, columns 1024.. are block 10's down row 0.
          float[] down = f.tensor("model.layers.8.mlp.down_proj.weight").toFloats(0, 1536);
          float[] d10 = ck.tensor("model.layers.10.mlp.down_proj.weight").toFloats(0, 512);
          assertArrayEquals(d10, java.util.Arrays.copyOfRange(down, 1024, 1536));
        }
      }
    }

    @Test
    void keepPlaceholders_keepsLayerNumbers() throws IOException {
      Path out = tmp.resolve("fused");
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(NAS)) {
        ExportModel fused = ModelFusion.fuse(load(ck, NAS), FusionPlan.parse("8-13"), DType.BF16, true);
        NemotronNasCheckpointWriter.write(fused, NAS, out, DType.BF16, 0);
      }
      ModelConfig c = HfConfigReader.read(out);
      assertEquals(16, c.numLayers());
      assertEquals(FfnKind.NONE, c.block(9).ffn().kind());
      assertEquals(AttentionKind.NONE, c.block(9).attention().kind());
      assertEquals(512, c.block(14).ffn().intermediateSize());
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(out)) {
        assertFalse(ck.names().stream().anyMatch(n -> n.startsWith("model.layers.9.")), "placeholders have no tensors");
        assertTrue(ck.contains("model.layers.14.mlp.up_proj.weight"));
      }
    }

    @Test
    void attentionInsideChain_isRefusedBeforeWriting() throws IOException {
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(NAS)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ModelFusion.fuse(load(ck, NAS), FusionPlan.parse("6-10"), DType.F32, false));
        assertTrue(e.getMessage().contains("block 7 has attention"), e.getMessage());
      }
      assertFalse(Files.exists(tmp.resolve("fused")));
    }
  }

  @Nested
  class AttentionDrop {
    @Test
    void dropOnLlama_writesNemotronNasWithNoOpAttention() throws IOException {
      Path llama = Fixtures.bundled("random/llama");
      Path out = tmp.resolve("dropped");
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(llama)) {
        ExportModel m = AttentionRemoval.drop(load(ck, llama), AttentionRemoval.parseBlocks("1-2"));
        NemotronNasCheckpointWriter.write(m, llama, out, DType.F32, 0);
      }
      ModelConfig c = HfConfigReader.read(out);
      assertEquals("nemotron-nas", c.family().modelType());
      assertEquals(List.of(AttentionKind.FULL, AttentionKind.NONE, AttentionKind.NONE, AttentionKind.FULL),
          c.blocks().stream().map(b -> b.attention().kind()).toList());
      assertEquals(256, c.block(0).ffn().intermediateSize(), "random/llama's width 160 is padded to 256 (exact)");
      try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(out)) {
        assertFalse(ck.contains("model.layers.1.self_attn.q_proj.weight"));
        assertFalse(ck.contains("model.layers.1.input_layernorm.weight"));
        assertTrue(ck.contains("model.layers.1.post_attention_layernorm.weight"));
      }
    }

    @Test
    void parseBlocks_rangesAndLists() {
      assertEquals(Set.of(3, 5, 8, 9, 10), AttentionRemoval.parseBlocks("3,5,8-10"));
      assertThrows(IllegalArgumentException.class, () -> AttentionRemoval.parseBlocks("a-b"));
      assertThrows(IllegalArgumentException.class, () -> AttentionRemoval.parseBlocks("5-3"));
    }
  }

  @Test
  void llamaAsNemotronNas_paddedFfns_reproducesReferenceLogits() throws Exception {
    Path llama = Fixtures.bundled("random/llama");
    Path out = tmp.resolve("nas");
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(llama)) {
      NemotronNasCheckpointWriter.write(load(ck, llama), llama, out, DType.F32, 0);
    }
    Path onnx = tmp.resolve("nas.onnx");
    OnnxExporter.export(out, onnx, org.ffnfuse.converters.export.ExportOptions.defaults());
    Fixtures.Reference ref = Fixtures.reference(llama);
    float[][] got = last(org.ffnfuse.formats.testing.OrtRunner.run(onnx, ref.inputIdsBatch()));
    double d = org.ffnfuse.formats.testing.OrtRunner.maxAbsDiff(got, ref.lastLogitsBatch());
    assertTrue(d < 1e-4, "max |Δ| " + d);
  }

  private static float[][] last(float[][][] logits) {
    float[][] out = new float[logits.length][];
    for (int b = 0; b < logits.length; b++) {
      out[b] = logits[b][logits[b].length - 1];
    }
    return out;
  }

  @Test
  void ffnMult_reproducesWidth_andRefusesUnroundedWidths() {
    assertEquals(4.0, NemotronNasCheckpointWriter.ffnMult(512, 192));
    assertEquals(28.0, NemotronNasCheckpointWriter.ffnMult(3584, 192));
    assertThrows(IllegalArgumentException.class, () -> NemotronNasCheckpointWriter.ffnMult(500, 192));
    assertEquals(512, NemotronNasCheckpointWriter.roundUp256(320));
  }
}

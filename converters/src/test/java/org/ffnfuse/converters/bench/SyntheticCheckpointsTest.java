package org.ffnfuse.converters.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ModelFamily;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCheckpointsTest {
  @TempDir Path dir;

  @Test
  void write_nemotronNas_isAValidShardedCheckpointOfTheStatedSize() throws IOException {
    SyntheticModel m = SyntheticModel.preset("tiny").withoutAttention(9, 15);
    Path out = dir.resolve("ckpt");
    SyntheticCheckpoints.write(m, out, new SyntheticCheckpoints.Options(1, 2_000_000));
    ModelConfig c = HfConfigReader.read(out);
    assertEquals(ModelFamily.NEMOTRON_NAS, c.family());
    assertEquals(16, c.numLayers());
    assertEquals(AttentionKind.NONE, c.block(9).attention().kind());
    assertEquals(AttentionKind.FULL, c.block(8).attention().kind());
    assertEquals(768, c.block(12).ffn().intermediateSize());
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(out)) {
      assertTrue(ck.shardFiles().size() > 1);
      assertEquals(m.byteSize(), ck.totalBytes());
      assertFalse(ck.contains("model.layers.9.self_attn.q_proj.weight"));
      assertFalse(ck.contains("model.layers.9.input_layernorm.weight"));
      assertTrue(ck.contains("model.layers.8.self_attn.q_proj.weight"));
      assertTrue(ck.contains("lm_head.weight"));
    }
  }

  @Test
  void write_llama_isReadAsLlama() throws IOException {
    Path out = dir.resolve("llama");
    SyntheticCheckpoints.write(SyntheticModel.preset("tiny").withLayers(2), out, SyntheticCheckpoints.Options.defaults());
    ModelConfig c = HfConfigReader.read(out);
    assertEquals(ModelFamily.LLAMA, c.family());
    assertEquals(2, c.numLayers());
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
  }

  @Test
  void ensure_sameShape_reuses_otherShape_refusesTheFolder() throws IOException {
    SyntheticModel m = SyntheticModel.preset("tiny").withLayers(2);
    Path out = dir.resolve("c");
    assertTrue(SyntheticCheckpoints.ensure(m, out, SyntheticCheckpoints.Options.defaults()));
    assertFalse(SyntheticCheckpoints.ensure(m, out, SyntheticCheckpoints.Options.defaults()));
    assertThrows(FileAlreadyExistsException.class,
        () -> SyntheticCheckpoints.ensure(m.withLayers(3), out, SyntheticCheckpoints.Options.defaults()));
  }
}

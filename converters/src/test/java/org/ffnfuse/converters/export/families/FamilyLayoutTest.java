package org.ffnfuse.converters.export.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every family's layout on tiny synthetic checkpoints (seeded random tensors, named as the layout asks): the exported
 * graph runs, its KV cache matches the uncached pass, and families that reduce to Llama give Llama's logits.
 */
class FamilyLayoutTest {
  private static final ObjectMapper M = new ObjectMapper();
  private static final long[][] IDS = {{1, 5, 9, 2, 33, 7, 60, 4}, {3, 3, 8, 41, 12, 0, 19, 63}};

  static ObjectNode llama(String type) {
    ObjectNode n = M.createObjectNode().put("model_type", type).put("hidden_size", 32).put("num_hidden_layers", 3)
        .put("num_attention_heads", 4).put("num_key_value_heads", 2).put("intermediate_size", 256)
        .put("vocab_size", 64).put("max_position_embeddings", 64).put("rms_norm_eps", 1e-5);
    n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 10000.0);
    return n;
  }

  static ObjectNode config(String family) {
    return switch (family) {
      case "llama3" -> {
        ObjectNode n = llama("llama");
        n.putObject("rope_parameters").put("rope_type", "llama3").put("rope_theta", 500000.0).put("factor", 8.0)
            .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 16);
        yield n;
      }
      case "gemma2" -> llama("gemma2").put("head_dim", 8).put("query_pre_attn_scalar", 8).put("sliding_window", 4);
      case "gpt_neox", "gpt_neox_sequential" -> M.createObjectNode().put("model_type", "gpt_neox")
          .put("hidden_size", 32).put("num_hidden_layers", 2).put("num_attention_heads", 4)
          .put("intermediate_size", 64).put("vocab_size", 64).put("rotary_pct", 0.5)
          .put("use_parallel_residual", family.equals("gpt_neox"));
      case "nemotron-nas" -> {
        ObjectNode n = llama("nemotron-nas");
        n.remove("num_key_value_heads");
        ArrayNode b = n.putArray("block_configs");
        b.addObject().set("attention", M.createObjectNode().put("replace_with_linear", true));
        ((ObjectNode) b.get(0)).set("ffn", M.createObjectNode().put("ffn_mult", 2.5));
        b.addObject().set("attention", M.createObjectNode().put("n_heads_in_group", 4));
        ((ObjectNode) b.get(1)).set("ffn", M.createObjectNode().put("replace_with_linear", true));
        b.addObject().set("attention", M.createObjectNode().put("no_op", true));
        ((ObjectNode) b.get(2)).set("ffn", M.createObjectNode().put("ffn_mult", 1.0));
        yield n;
      }
      default -> llama(family);
    };
  }

  /** A seeded tensor per name; gains near 1 so norms stay well conditioned. */
  static ExportModel synthetic(ModelConfig c) throws Exception {
    TensorLookup t = TensorLookup.generated(Path.of("synthetic"), c.family().modelType(), (name, dims) -> {
      SplittableRandom r = new SplittableRandom(name.hashCode());
      long n = Shape.of(dims).elementCount();
      float[] v = new float[(int) n];
      boolean gain = dims.length == 1 && (name.contains("norm") || name.contains("ln_"));
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (gain ? 1 + 0.1 * r.nextGaussian() : 0.2 * r.nextGaussian());
      }
      return Optional.of(HeapTensor.ofFloats(Shape.of(dims), v));
    });
    return FamilyLayout.forConfig(c).load(c, t);
  }

  static float[][][] logits(ObjectNode json, Path tmp, String name, boolean kv) throws Exception {
    ModelConfig c = HfConfigReader.parse(json, tmp.resolve(name + ".json"));
    Path out = tmp.resolve(name + (kv ? "-kv" : "") + ".onnx");
    OnnxExporter.export(synthetic(c), out, ExportOptions.defaults().withKvCache(kv));
    try (OrtCausalLm lm = OrtCausalLm.open(out, 1)) {
      if (!kv) {
        return lm.logits(IDS);
      }
      OrtCausalLm.KvCache cache = lm.newCache(IDS.length);
      float[][][] all = new float[IDS.length][IDS[0].length][];
      for (int t = 0; t < IDS[0].length; t++) {
        final int tt = t;
        float[][][] s = lm.step(java.util.Arrays.stream(IDS).map(r -> new long[] {r[tt]}).toArray(long[][]::new),
            cache);
        for (int b = 0; b < IDS.length; b++) {
          all[b][t] = s[b][0];
        }
      }
      return all;
    }
  }

  static double maxDiff(float[][][] a, float[][][] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        for (int k = 0; k < a[i][j].length; k++) {
          m = Math.max(m, Math.abs(a[i][j][k] - b[i][j][k]));
        }
      }
    }
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama3", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "olmo2",
      "granite", "gpt_neox", "gpt_neox_sequential", "nemotron-nas"})
  void export_syntheticFamily_runsAndCacheMatches(String family, @TempDir Path tmp) throws Exception {
    float[][][] full = logits(config(family), tmp, family, false);
    assertEquals(IDS.length, full.length);
    assertEquals(64, full[0][IDS[0].length - 1].length);
    for (float[][] b : full) {
      for (float[] p : b) {
        for (float v : p) {
          assertTrue(Float.isFinite(v), family + ": non-finite logit");
        }
      }
    }
    double d = maxDiff(full, logits(config(family), tmp, family, true));
    assertTrue(d <= 1e-4, family + ": KV drift " + d);
  }

  @Test
  void granite_unitMultipliers_equalsLlama(@TempDir Path tmp) throws Exception {
    ObjectNode g = llama("granite").put("embedding_multiplier", 1.0).put("residual_multiplier", 1.0)
        .put("attention_multiplier", 1 / Math.sqrt(8)).put("logits_scaling", 1.0);
    assertTrue(maxDiff(logits(llama("llama"), tmp, "l", false), logits(g, tmp, "g", false)) < 1e-5);
  }

  @Test
  void granite_logitsScaling_dividesLogits(@TempDir Path tmp) throws Exception {
    ObjectNode g = llama("granite").put("attention_multiplier", 1 / Math.sqrt(8)).put("logits_scaling", 4.0);
    float[][][] a = logits(llama("llama"), tmp, "l", false);
    float[][][] b = logits(g, tmp, "g", false);
    assertEquals(a[1][3][5] / 4, b[1][3][5], 1e-5);
    assertEquals(a[0][7][63] / 4, b[0][7][63], 1e-5);
  }

  @Test
  void mistral_windowCoversSequence_equalsLlamaElseDiffers(@TempDir Path tmp) throws Exception {
    float[][][] l = logits(llama("llama"), tmp, "l", false);
    assertTrue(maxDiff(l, logits(llama("mistral").put("sliding_window", 8), tmp, "wide", false)) < 1e-5);
    float[][][] narrow = logits(llama("mistral").put("sliding_window", 2), tmp, "narrow", false);
    assertTrue(maxDiff(l, narrow) > 1e-3);
    // the first two positions see at most two keys either way
    for (int p = 0; p < 2; p++) {
      for (int v = 0; v < 64; v++) {
        assertEquals(l[0][p][v], narrow[0][p][v], 1e-5);
      }
    }
  }

  @Test
  void nemotronNas_allFullBlocks_equalsLlama(@TempDir Path tmp) throws Exception {
    ObjectNode n = llama("nemotron-nas");
    n.remove("num_key_value_heads");
    ArrayNode b = n.putArray("block_configs");
    for (int i = 0; i < 3; i++) {
      ObjectNode o = b.addObject();
      o.putObject("attention").put("n_heads_in_group", 2);
      o.putObject("ffn").put("ffn_mult", 1.0); // int(2·1·32/3) = 21 → 256 = llama's intermediate_size
    }
    assertTrue(maxDiff(logits(llama("llama"), tmp, "l", false), logits(n, tmp, "n", false)) < 1e-5);
  }
}

package org.ffnfuse.converters.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.families.FamilyLayout;
import org.ffnfuse.converters.export.families.TensorLookup;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;

/** Tiny models built in code (seeded weights, chosen tensors zero), exported to ONNX by our exporter. */
final class TinyModels {
  private static final ObjectMapper M = new ObjectMapper();

  private TinyModels() {}

  /** A 4-block Llama, hidden 32, vocab 64. */
  static ObjectNode llama() {
    ObjectNode n = M.createObjectNode().put("model_type", "llama").put("hidden_size", 32).put("num_hidden_layers", 4)
        .put("num_attention_heads", 4).put("num_key_value_heads", 2).put("intermediate_size", 64)
        .put("vocab_size", 64).put("max_position_embeddings", 64).put("rms_norm_eps", 1e-5).put("bos_token_id", 1);
    n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 10000.0);
    return n;
  }

  /** A 3-block GPT-NeoX with parallel residual. */
  static ObjectNode neox() {
    return M.createObjectNode().put("model_type", "gpt_neox").put("hidden_size", 32).put("num_hidden_layers", 3)
        .put("num_attention_heads", 4).put("intermediate_size", 64).put("vocab_size", 64).put("rotary_pct", 0.5)
        .put("use_parallel_residual", true);
  }

  /** Exports {@code config} with seeded weights (tensors named in {@code zero} all zero) to {@code out}. */
  static Path export(ObjectNode config, Set<String> zero, Path out, boolean kvCache) throws Exception {
    ModelConfig c = HfConfigReader.parse(config, out.resolveSibling("config.json"));
    TensorLookup t = TensorLookup.generated(Path.of("synthetic"), c.family().modelType(), (name, dims) -> {
      SplittableRandom r = new SplittableRandom(name.hashCode());
      float[] v = new float[(int) Shape.of(dims).elementCount()];
      boolean gain = dims.length == 1 && (name.contains("norm") || name.contains("ln_"));
      for (int i = 0; i < v.length && !zero.contains(name); i++) {
        v[i] = (float) (gain ? 1 + 0.1 * r.nextGaussian() : 0.3 * r.nextGaussian());
      }
      return Optional.of(HeapTensor.ofFloats(Shape.of(dims), v));
    });
    OnnxExporter.export(FamilyLayout.forConfig(c).load(c, t), out, ExportOptions.defaults().withKvCache(kvCache));
    return out;
  }

  /** {@code windows} windows of {@code length} seeded token ids below {@code vocab}, the first being BOS 1. */
  static long[][] windows(int windows, int length, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[][] w = new long[windows][length];
    for (long[] row : w) {
      row[0] = 1;
      for (int i = 1; i < length; i++) {
        row[i] = r.nextInt(2, vocab);
      }
    }
    return w;
  }
}

package org.ffnfuse.formats.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;

/** Tiny config.json trees built in code, in transformers-4 or transformers-5 spelling. */
final class TinyConfigs {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Path FILE = Path.of("tiny", "config.json");

  /** The two spellings of rope and dtype fields. */
  enum Style {
    /** {@code rope_theta}, {@code rope_scaling}, {@code torch_dtype}. */
    TRANSFORMERS_4,
    /** {@code rope_parameters}, {@code dtype}. */
    TRANSFORMERS_5
  }

  private TinyConfigs() {}

  /** hidden 64, 3 layers, 4 heads / 2 KV heads, intermediate 160, vocab 128, theta 5e5, fp16. */
  static ObjectNode llamaLike(String modelType, Style style) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("model_type", modelType);
    n.put("hidden_size", 64);
    n.put("num_hidden_layers", 3);
    n.put("num_attention_heads", 4);
    n.put("num_key_value_heads", 2);
    n.put("intermediate_size", 160);
    n.put("vocab_size", 128);
    n.put("max_position_embeddings", 256);
    n.put("bos_token_id", 1);
    if (style == Style.TRANSFORMERS_4) {
      n.put("rope_theta", 500000.0);
      n.putNull("rope_scaling");
      n.put("torch_dtype", "float16");
    } else {
      ObjectNode rope = n.putObject("rope_parameters");
      rope.put("rope_type", "default");
      rope.put("rope_theta", 500000.0);
      n.put("dtype", "float16");
    }
    return n;
  }

  /** Adds llama3 rope scaling (factor 8, low 1, high 4, original 8192) in the given spelling. */
  static ObjectNode withLlama3Rope(ObjectNode n, Style style) {
    ObjectNode s = style == Style.TRANSFORMERS_4 ? n.putObject("rope_scaling") : n.putObject("rope_parameters");
    if (style == Style.TRANSFORMERS_5) {
      s.put("rope_theta", 500000.0);
    }
    s.put(style == Style.TRANSFORMERS_4 ? "type" : "rope_type", "llama3");
    s.put("factor", 8.0);
    s.put("low_freq_factor", 1.0);
    s.put("high_freq_factor", 4.0);
    s.put("original_max_position_embeddings", 8192);
    return n;
  }

  static ModelConfig parse(ObjectNode n) throws ModelFormatException {
    return HfConfigReader.parse(n, FILE);
  }
}

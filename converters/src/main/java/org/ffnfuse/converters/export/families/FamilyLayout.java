package org.ffnfuse.converters.export.families;

import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.ModelConfig;

/** Where one family keeps its weights in a Hugging Face checkpoint: the one place that knows its tensor names. */
public interface FamilyLayout {
  /** Builds the export description from {@code config} and the checkpoint's tensors (lazily; nothing is read). */
  ExportModel load(ModelConfig config, TensorLookup tensors) throws ModelFormatException;

  /**
   * Whether {@code name} is a buffer that some exporters save beside the weights although the model recomputes it
   * (rotary inverse frequencies), so that leaving it unused loses nothing.
   */
  default boolean isDerivedBuffer(String name) {
    return name.endsWith(".rotary_emb.inv_freq");
  }

  /** The layout for a family. */
  static FamilyLayout forConfig(ModelConfig config) {
    return switch (config.family()) {
      case LLAMA, MISTRAL, QWEN2, QWEN3, GEMMA, GEMMA2, OLMO2, GRANITE, NEMOTRON_NAS -> new LlamaLayout();
      case PHI3 -> new Phi3Layout();
      case GPT2 -> new Gpt2Layout();
      case GPT_NEOX -> new GptNeoxLayout();
    };
  }
}

package org.ffnfuse.converters.fuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.converters.export.model.AttentionWeights;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.BlockConfig;
import org.ffnfuse.formats.config.FfnKind;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ModelFamily;
import org.ffnfuse.formats.config.RopeConfig;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.Manifest;
import org.ffnfuse.formats.safetensors.SafetensorsWriter;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Fp16Overflow;
import org.ffnfuse.formats.tensor.Fp16OverflowException;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;

/**
 * Writes a model as NVIDIA ships Puzzle / FFN-Fusion models: {@code DeciLMForCausalLM}, {@code model_type:
 * nemotron-nas}, one {@code block_configs} entry per layer, Llama tensor names, no tensors for no-op parts. A fused
 * block is just a block whose {@code ffn_mult} gives the fused width.
 *
 * <p>The output folder appears whole or not at all ({@link AtomicFiles#writeFolder}); weights stream tensor by tensor.
 * The folder carries a SHA-256 {@link Manifest} of its files ({@value Manifest#FILE_NAME}), written last.
 */
public final class NemotronNasCheckpointWriter {
  /** Families whose checkpoints nemotron-nas can express exactly. */
  public static final Set<ModelFamily> SUPPORTED = EnumSet.of(ModelFamily.LLAMA, ModelFamily.MISTRAL,
      ModelFamily.NEMOTRON_NAS);

  /** Files copied unchanged from the source checkpoint when present. */
  static final List<String> SIDE_FILES = List.of("tokenizer.json", "tokenizer_config.json", "tokenizer.model",
      "special_tokens_map.json", "generation_config.json", "chat_template.jinja");

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private NemotronNasCheckpointWriter() {}

  /** Why {@code config} cannot be written as nemotron-nas, if it cannot. */
  public static Optional<String> unsupported(ModelConfig config) {
    if (SUPPORTED.contains(config.family()) && !config.bias().qkv() && !config.bias().mlp()) {
      return Optional.empty();
    }
    return Optional.of("a " + config.family().modelType() + " model cannot be written as a nemotron-nas checkpoint"
        + " (supported: llama, mistral, nemotron-nas without biases); write ONNX instead (-o model.onnx)");
  }

  /**
   * Writes {@code model} to the folder {@code out}. FFN widths that nemotron-nas cannot express (not multiples of
   * 256) are padded with zero rows/columns first, which changes no output.
   *
   * @param sourceDir the checkpoint it came from (tokenizer and generation files are copied from there)
   * @param dtype dtype of every weight in the output
   * @param maxShardBytes shard size limit, or 0 for a single {@code model.safetensors}
   */
  public static void write(ExportModel unpadded, Path sourceDir, Path out, DType dtype, long maxShardBytes)
      throws IOException {
    write(unpadded, sourceDir, out, dtype, maxShardBytes, Fp16Overflow.ERROR);
  }

  /**
   * {@link #write(ExportModel, Path, Path, DType, long)}; with fp16 weights, {@code fp16Overflow} says what a finite
   * weight beyond ±65504 does (fail naming the tensor, or clamp).
   */
  public static void write(ExportModel unpadded, Path sourceDir, Path out, DType dtype, long maxShardBytes,
      Fp16Overflow fp16Overflow) throws IOException {
    ExportModel model = ModelFusion.padFfns(unpadded, NemotronNasCheckpointWriter::roundUp256);
    ModelConfig c = model.config();
    unsupported(c).ifPresent(m -> {
      throw new IllegalArgumentException(m);
    });
    try {
      writeFolder(model, sourceDir, out, dtype, maxShardBytes, fp16Overflow);
    } catch (ModelFormatException e) {
      if (e.getCause() instanceof Fp16OverflowException) {
        // Name the shard where it will be, not the temporary folder that was deleted.
        throw new ModelFormatException(out.resolve(e.file().getFileName()), e.detail(), e.getCause());
      }
      throw e;
    }
  }

  private static void writeFolder(ExportModel model, Path sourceDir, Path out, DType dtype, long maxShardBytes,
      Fp16Overflow fp16Overflow) throws IOException {
    ModelConfig c = model.config();
    AtomicFiles.writeFolder(out, dir -> {
      SafetensorsWriter.Builder b = SafetensorsWriter.builder(dir).metadata(java.util.Map.of("format", "pt"))
          .sha256(true).fp16Overflow(fp16Overflow);
      if (maxShardBytes > 0) {
        b.maxShardBytes(maxShardBytes);
      }
      SafetensorsWriter w = b.build();
      w.add("model.embed_tokens.weight", Tensors.converted(model.embedding(), dtype));
      for (int i = 0; i < model.blocks().size(); i++) {
        addBlock(w, "model.layers." + i + ".", model.blocks().get(i), dtype);
      }
      w.add("model.norm.weight", Tensors.converted(model.finalNorm().weight(), dtype));
      model.lmHead().ifPresent(h -> w.add("lm_head.weight", outIn(h, dtype)));
      w.write();
      Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config(c, dtype)) + "\n");
      for (String f : SIDE_FILES) {
        if (Files.isRegularFile(sourceDir.resolve(f))) {
          Files.copy(sourceDir.resolve(f), dir.resolve(f));
        }
      }
      Manifest.writeForFolder(dir, w.sha256()); // last: SHA-256 and size of every file above
    });
  }

  private static void addBlock(SafetensorsWriter w, String p, BlockWeights b, DType dtype) {
    b.attentionNorm().ifPresent(n -> w.add(p + "input_layernorm.weight", Tensors.converted(n.weight(), dtype)));
    b.attention().ifPresent(a -> addAttention(w, p + "self_attn.", a, dtype));
    b.linearAttention().ifPresent(l -> w.add(p + "self_attn.linear_attn.weight", outIn(l, dtype)));
    b.ffnNorm().ifPresent(n -> w.add(p + "post_attention_layernorm.weight", Tensors.converted(n.weight(), dtype)));
    b.ffn().ifPresent(f -> addFfn(w, p + "mlp.", f, dtype));
    b.linearFfn().ifPresent(l -> w.add(p + "mlp.linear_mlp.weight", outIn(l, dtype)));
  }

  private static void addAttention(SafetensorsWriter w, String p, AttentionWeights a, DType dtype) {
    w.add(p + "q_proj.weight", outIn(a.q(), dtype));
    w.add(p + "k_proj.weight", outIn(a.k(), dtype));
    w.add(p + "v_proj.weight", outIn(a.v(), dtype));
    w.add(p + "o_proj.weight", outIn(a.o(), dtype));
  }

  private static void addFfn(SafetensorsWriter w, String p, FfnWeights f, DType dtype) {
    f.gate().ifPresent(g -> w.add(p + "gate_proj.weight", outIn(g, dtype)));
    w.add(p + "up_proj.weight", outIn(f.up(), dtype));
    w.add(p + "down_proj.weight", outIn(f.down(), dtype));
  }

  /** The weight in Hugging Face's {@code [out, in]} orientation and {@code dtype}. */
  private static Tensor outIn(Linear l, DType dtype) {
    return l.inputMajor() ? Tensors.transposed(l.weight(), dtype) : Tensors.converted(l.weight(), dtype);
  }

  /** The nemotron-nas config.json for {@code c}, keeping the source's other keys. */
  static ObjectNode config(ModelConfig c, DType dtype) {
    ObjectNode root = (ObjectNode) c.raw();
    JsonNode sourceBlocks = root.path("block_configs");
    boolean fromNas = c.family() == ModelFamily.NEMOTRON_NAS;
    root.putArray("architectures").add("DeciLMForCausalLM");
    ObjectNode autoMap = root.putObject("auto_map");
    autoMap.put("AutoConfig", "configuration_decilm.DeciLMConfig");
    autoMap.put("AutoModelForCausalLM", "modeling_decilm.DeciLMForCausalLM");
    root.put("model_type", "nemotron-nas");
    root.put("num_hidden_layers", c.numLayers());
    root.putNull("intermediate_size");
    root.putNull("num_key_value_heads");
    String torchDtype = switch (dtype) {
      case BF16 -> "bfloat16";
      case F16 -> "float16";
      case F32 -> "float32";
      default -> throw new IllegalArgumentException("checkpoint dtype " + dtype + " is not supported");
    };
    root.put("torch_dtype", torchDtype);
    if (root.has("dtype")) {
      root.put("dtype", torchDtype);
    }
    if (!fromNas) {
      c.rope().ifPresent(r -> ropeFields(root, r));
    }
    ArrayNode blocks = root.putArray("block_configs");
    int heads = c.blocks().stream().filter(b -> b.attention().kind() == AttentionKind.FULL)
        .mapToInt(b -> b.attention().numHeads()).findFirst().orElse(root.path("num_attention_heads").asInt());
    for (BlockConfig b : c.blocks()) {
      blocks.add(blockJson(b, c.hiddenSize(), heads, template(sourceBlocks)));
    }
    return root;
  }

  private static ObjectNode template(JsonNode sourceBlocks) {
    return sourceBlocks.isArray() && sourceBlocks.size() > 0 && sourceBlocks.get(0).isObject()
        ? (ObjectNode) sourceBlocks.get(0).deepCopy() : JSON.createObjectNode();
  }

  private static ObjectNode blockJson(BlockConfig b, int hidden, int heads, ObjectNode template) {
    ObjectNode a = template.path("attention").isObject() ? (ObjectNode) template.get("attention")
        : JSON.createObjectNode();
    a.put("no_op", b.attention().kind() == AttentionKind.NONE);
    a.put("replace_with_linear", b.attention().kind() == AttentionKind.LINEAR);
    if (b.attention().kind() == AttentionKind.FULL) {
      a.put("n_heads_in_group", b.attention().numHeads() / b.attention().numKvHeads());
    } else {
      a.putNull("n_heads_in_group");
    }
    for (String k : List.of("num_sink_tokens", "sparsify", "window_length")) {
      if (!a.has(k)) {
        a.putNull(k);
      }
    }
    b.attention().slidingWindow().ifPresent(wl -> a.put("window_length", wl));
    ObjectNode f = template.path("ffn").isObject() ? (ObjectNode) template.get("ffn") : JSON.createObjectNode();
    FfnKind fk = b.ffn().kind();
    f.put("no_op", fk == FfnKind.NONE);
    f.put("replace_with_linear", fk == FfnKind.LINEAR);
    if (fk == FfnKind.GATED) {
      f.put("ffn_mult", ffnMult(b.ffn().intermediateSize(), hidden));
    } else {
      f.putNull("ffn_mult");
    }
    if (!f.has("sparsify")) {
      f.putNull("sparsify");
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("attention", a);
    out.set("ffn", f);
    return out;
  }

  /**
   * The {@code ffn_mult} whose nemotron-nas width ({@code roundup_256(int(2·mult·hidden/3))}) is {@code width}.
   *
   * @throws IllegalArgumentException if {@code width} is not a multiple of 256 (pad it first)
   */
  public static double ffnMult(int width, int hidden) {
    if (width % 256 != 0) {
      throw new IllegalArgumentException("FFN width " + width + " is not a multiple of 256; nemotron-nas cannot"
          + " express it (pad to " + roundUp256(width) + ")");
    }
    double mult = 3.0 * width / (2.0 * hidden);
    if (org.ffnfuse.formats.config.FfnConfig.nemotronIntermediateSize(mult, hidden) != width) {
      throw new IllegalStateException("ffn_mult " + mult + " does not reproduce width " + width);
    }
    return mult;
  }

  /** {@code width} rounded up to a multiple of 256. */
  public static long roundUp256(long width) {
    return (width + 255) / 256 * 256;
  }

  private static void ropeFields(ObjectNode root, RopeConfig r) {
    root.remove("rope_parameters");
    root.put("rope_theta", r.theta());
    switch (r.type()) {
      case DEFAULT -> root.putNull("rope_scaling");
      case LINEAR -> {
        ObjectNode s = root.putObject("rope_scaling");
        s.put("rope_type", "linear");
        s.put("factor", r.factor());
      }
      case LLAMA3 -> {
        ObjectNode s = root.putObject("rope_scaling");
        s.put("rope_type", "llama3");
        s.put("factor", r.factor());
        s.put("low_freq_factor", r.lowFreqFactor());
        s.put("high_freq_factor", r.highFreqFactor());
        s.put("original_max_position_embeddings", r.originalMaxPositions());
      }
    }
  }
}

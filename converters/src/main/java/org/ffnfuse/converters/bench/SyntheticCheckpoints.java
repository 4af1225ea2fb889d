package org.ffnfuse.converters.bench;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ffnfuse.converters.fuse.NemotronNasCheckpointWriter;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.safetensors.SafetensorsWriter;
import org.ffnfuse.formats.tensor.Shape;

/**
 * Writes Llama-shaped checkpoints of any size with random BF16 weights, as transformers 5 saves them: safetensors shards
 * of at most {@link #HF_SHARD_BYTES} with {@code model.safetensors.index.json}, and a config.json ({@code llama}, or
 * {@code nemotron-nas} with {@code block_configs} when some blocks have no attention).
 *
 * <p>Tensors are {@link RandomBf16Tensor}s streamed through {@link SafetensorsWriter}: nothing is held in heap, and
 * writing is bound by the disk (an 8B-shaped checkpoint is 16 GB). The folder appears whole or not at all
 * ({@link AtomicFiles#writeFolder}); a {@value #MARKER} file records the shape and seed so that {@link #ensure} can
 * reuse a folder written earlier.
 */
public final class SyntheticCheckpoints {
  /** transformers' default {@code max_shard_size="5GB"} (decimal). */
  public static final long HF_SHARD_BYTES = 5_000_000_000L;
  /** File recording what a folder was generated from. */
  public static final String MARKER = "ffnfuse-synthetic.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SyntheticCheckpoints() {}

  /** Options: seed and shard size. */
  public record Options(long seed, long maxShardBytes) {
    /** Validates. */
    public Options {
      checkArgument(maxShardBytes > 0, "maxShardBytes must be positive");
    }

    /** Seed 42, 5 GB shards. */
    public static Options defaults() {
      return new Options(42, HF_SHARD_BYTES);
    }
  }

  /**
   * Writes {@code model} into the new folder {@code dir}.
   *
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists and is not empty
   */
  public static void write(SyntheticModel model, Path dir, Options options) throws IOException {
    String marker = marker(model, options);
    AtomicFiles.writeFolder(dir, tmp -> {
      SafetensorsWriter w = SafetensorsWriter.builder(tmp).maxShardBytes(options.maxShardBytes())
          .metadata(Map.of("format", "pt")).build();
      long seed = options.seed();
      int h = model.hiddenSize();
      add(w, seed, "model.embed_tokens.weight", Shape.of(model.vocabSize(), h), RandomBf16Tensor.WEIGHTS);
      for (int i = 0; i < model.numLayers(); i++) {
        String p = "model.layers." + i + ".";
        if (model.hasAttention(i)) {
          add(w, seed, p + "input_layernorm.weight", Shape.of(h), RandomBf16Tensor.GAINS);
          add(w, seed, p + "self_attn.q_proj.weight", Shape.of((long) model.numHeads() * model.headDim(), h),
              RandomBf16Tensor.WEIGHTS);
          add(w, seed, p + "self_attn.k_proj.weight", Shape.of((long) model.numKvHeads() * model.headDim(), h),
              RandomBf16Tensor.WEIGHTS);
          add(w, seed, p + "self_attn.v_proj.weight", Shape.of((long) model.numKvHeads() * model.headDim(), h),
              RandomBf16Tensor.WEIGHTS);
          add(w, seed, p + "self_attn.o_proj.weight", Shape.of(h, (long) model.numHeads() * model.headDim()),
              RandomBf16Tensor.WEIGHTS);
        }
        add(w, seed, p + "post_attention_layernorm.weight", Shape.of(h), RandomBf16Tensor.GAINS);
        add(w, seed, p + "mlp.gate_proj.weight", Shape.of(model.intermediateSize(), h), RandomBf16Tensor.WEIGHTS);
        add(w, seed, p + "mlp.up_proj.weight", Shape.of(model.intermediateSize(), h), RandomBf16Tensor.WEIGHTS);
        add(w, seed, p + "mlp.down_proj.weight", Shape.of(h, model.intermediateSize()), RandomBf16Tensor.WEIGHTS);
      }
      add(w, seed, "model.norm.weight", Shape.of(h), RandomBf16Tensor.GAINS);
      if (!model.tiedEmbeddings()) {
        add(w, seed, "lm_head.weight", Shape.of(model.vocabSize(), h), RandomBf16Tensor.WEIGHTS);
      }
      w.write();
      Files.writeString(tmp.resolve("config.json"), JSON.writeValueAsString(config(model)) + "\n");
      Files.writeString(tmp.resolve(MARKER), marker);
    });
  }

  /**
   * Returns {@code dir} holding {@code model}: reuses it if its {@value #MARKER} matches, otherwise writes it.
   *
   * @return whether the checkpoint was written now (false: reused)
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} holds something else
   */
  public static boolean ensure(SyntheticModel model, Path dir, Options options) throws IOException {
    Path m = dir.resolve(MARKER);
    if (Files.isRegularFile(m) && Files.readString(m).equals(marker(model, options))) {
      return false;
    }
    write(model, dir, options);
    return true;
  }

  private static void add(SafetensorsWriter w, long modelSeed, String name, Shape shape,
      RandomBf16Tensor.Range range) {
    w.add(name, RandomBf16Tensor.of(shape, RandomBf16Tensor.seedFor(modelSeed, name), range));
  }

  private static String marker(SyntheticModel model, Options options) throws IOException {
    ObjectNode n = JSON.valueToTree(model);
    n.put("seed", options.seed());
    n.put("maxShardBytes", options.maxShardBytes());
    n.put("generator", 1);
    return JSON.writeValueAsString(n) + "\n";
  }

  /** config.json as transformers 5 writes it for this shape ({@code llama} or {@code nemotron-nas}). */
  public static ObjectNode config(SyntheticModel m) {
    ObjectNode c = JSON.createObjectNode();
    boolean nas = m.isNemotronNas();
    c.putArray("architectures").add(nas ? "DeciLMForCausalLM" : "LlamaForCausalLM");
    if (nas) {
      ObjectNode autoMap = c.putObject("auto_map");
      autoMap.put("AutoConfig", "configuration_decilm.DeciLMConfig");
      autoMap.put("AutoModelForCausalLM", "modeling_decilm.DeciLMForCausalLM");
    }
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    if (nas) {
      ArrayNode blocks = c.putArray("block_configs");
      double mult = NemotronNasCheckpointWriter.ffnMult(m.intermediateSize(), m.hiddenSize());
      for (int i = 0; i < m.numLayers(); i++) {
        ObjectNode b = blocks.addObject();
        ObjectNode a = b.putObject("attention");
        boolean noOp = !m.hasAttention(i);
        if (noOp) {
          a.putNull("n_heads_in_group");
        } else {
          a.put("n_heads_in_group", m.numHeads() / m.numKvHeads());
        }
        a.put("no_op", noOp);
        a.put("replace_with_linear", false);
        a.putNull("num_sink_tokens");
        a.putNull("sparsify");
        a.putNull("window_length");
        ObjectNode f = b.putObject("ffn");
        f.put("ffn_mult", mult);
        f.put("no_op", false);
        f.put("replace_with_linear", false);
        f.putNull("sparsify");
      }
    }
    c.put("bos_token_id", 128000);
    c.put("dtype", "bfloat16");
    c.put("eos_token_id", 128001);
    c.put("head_dim", m.headDim());
    c.put("hidden_act", "silu");
    c.put("hidden_size", m.hiddenSize());
    c.put("initializer_range", 0.02);
    if (nas) {
      c.putNull("intermediate_size");
    } else {
      c.put("intermediate_size", m.intermediateSize());
    }
    c.put("max_position_embeddings", 131072);
    c.put("mlp_bias", false);
    c.put("model_type", nas ? "nemotron-nas" : "llama");
    c.put("num_attention_heads", m.numHeads());
    c.put("num_hidden_layers", m.numLayers());
    if (nas) {
      c.putNull("num_key_value_heads");
    } else {
      c.put("num_key_value_heads", m.numKvHeads());
    }
    c.put("pretraining_tp", 1);
    c.put("rms_norm_eps", 1e-5);
    ObjectNode rope = c.putObject("rope_parameters");
    rope.put("factor", m.ropeFactor());
    rope.put("high_freq_factor", 4.0);
    rope.put("low_freq_factor", 1.0);
    rope.put("original_max_position_embeddings", 8192);
    rope.put("rope_theta", m.ropeTheta());
    rope.put("rope_type", "llama3");
    c.put("tie_word_embeddings", m.tiedEmbeddings());
    c.put("transformers_version", "5.17.0");
    c.put("use_cache", true);
    c.put("vocab_size", m.vocabSize());
    return c;
  }
}

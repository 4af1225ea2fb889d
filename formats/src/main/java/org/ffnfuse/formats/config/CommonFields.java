package org.ffnfuse.formats.config;

import java.util.Optional;
import java.util.OptionalInt;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.DType;

/**
 * Field reads shared by the family parsers: both transformers-4 ({@code rope_theta}, {@code rope_scaling},
 * {@code torch_dtype}) and transformers-5 ({@code rope_parameters}, {@code dtype}) spellings.
 */
final class CommonFields {
  private CommonFields() {}

  /** Per-family defaults for the Llama-shaped fields (transformers' config class defaults). */
  record Defaults(boolean tie, double eps, String activation, double theta, OptionalInt headDim) {
    static Defaults llama() {
      return new Defaults(false, 1e-6, "silu", 10000, OptionalInt.empty());
    }

    Defaults withTie(boolean t) {
      return new Defaults(t, eps, activation, theta, headDim);
    }

    Defaults withEps(double e) {
      return new Defaults(tie, e, activation, theta, headDim);
    }

    Defaults withActivation(String a) {
      return new Defaults(tie, eps, a, theta, headDim);
    }

    Defaults withHeadDim(int h) {
      return new Defaults(tie, eps, activation, theta, OptionalInt.of(h));
    }
  }

  /**
   * Reads the fields every Llama-shaped family has: sizes, uniform blocks of full attention and a gated FFN of
   * {@code intermediate_size}, RMSNorm, activation, rope, tying, dtype, {@code attention_bias}/{@code mlp_bias}, BOS.
   */
  static ConfigDraft llamaLike(ModelFamily family, ConfigFields f, Defaults d) throws ModelFormatException {
    ConfigDraft c = new ConfigDraft(family);
    c.hiddenSize = f.size("hidden_size", SizeLimit.WIDTH);
    int layers = f.size("num_hidden_layers", SizeLimit.LAYERS);
    int heads = f.size("num_attention_heads", SizeLimit.HEADS);
    int kvHeads = f.sizeOr("num_key_value_heads", heads, SizeLimit.HEADS);
    int headDim = headDim(f, c.hiddenSize, heads, d.headDim());
    checkHeads(f, heads, kvHeads);
    int intermediate = f.size("intermediate_size", SizeLimit.WIDTH);
    for (int i = 0; i < layers; i++) {
      c.blocks.add(BlockConfig.of(AttentionConfig.full(heads, kvHeads, headDim), FfnConfig.gated(intermediate)));
    }
    c.vocabSize = f.size("vocab_size", SizeLimit.VOCAB);
    c.maxPositions = f.positiveIntOr("max_position_embeddings", 2048);
    c.norm = new NormConfig(NormKind.RMS, f.nonNegativeDoubleOr("rms_norm_eps", d.eps()), 0);
    c.activation = activation(f, "hidden_act", d.activation());
    c.rope = Optional.of(rope(f, headDim, d.theta(), 1.0));
    c.tieWordEmbeddings = f.boolOr("tie_word_embeddings", d.tie());
    c.dtype = dtype(f);
    boolean attnBias = f.boolOr("attention_bias", false);
    c.bias = new BiasConfig(attnBias, attnBias, f.boolOr("mlp_bias", false));
    c.bosTokenId = f.optionalInt("bos_token_id");
    return c;
  }

  /** {@code head_dim} if given, else the family default, else {@code hidden / heads} (which must divide). */
  static int headDim(ConfigFields f, int hidden, int heads, OptionalInt familyDefault) throws ModelFormatException {
    if (f.has("head_dim")) {
      return f.size("head_dim", SizeLimit.WIDTH);
    }
    if (familyDefault.isPresent()) {
      return familyDefault.getAsInt();
    }
    if (hidden % heads != 0) {
      throw f.problem("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads
          + " (and no head_dim is given)");
    }
    return hidden / heads;
  }

  static void checkHeads(ConfigFields f, int heads, int kvHeads) throws ModelFormatException {
    if (heads % kvHeads != 0) {
      throw f.problem("num_attention_heads " + heads + " is not divisible by num_key_value_heads " + kvHeads);
    }
  }

  /** {@code dtype} (transformers 5) or {@code torch_dtype} (transformers 4); F32 when neither is set. */
  static DType dtype(ConfigFields f) throws ModelFormatException {
    String field = f.has("dtype") ? "dtype" : "torch_dtype";
    Optional<String> s = f.optionalString(field);
    if (s.isEmpty()) {
      return DType.F32;
    }
    return switch (s.get()) {
      case "float32", "float" -> DType.F32;
      case "float16", "half" -> DType.F16;
      case "bfloat16" -> DType.BF16;
      default -> throw f.problem(field, "'" + s.get() + "' is not supported (supported: float32, float16,"
          + " bfloat16)");
    };
  }

  static Activation activation(ConfigFields f, String field, String dflt) throws ModelFormatException {
    String name = f.optionalString(field).orElse(dflt);
    Optional<Activation> a = Activation.fromHfName(name);
    if (a.isEmpty()) {
      throw f.problem(field, "activation '" + name + "' is not supported (supported: "
          + Activation.supportedNames() + ")");
    }
    return a.get();
  }

  /**
   * Rotary settings from {@code rope_parameters} (transformers 5) or {@code rope_theta} + {@code rope_scaling}
   * (transformers 4); {@code partial_rotary_factor} from either place.
   */
  static RopeConfig rope(ConfigFields f, int headDim, double defaultTheta, double defaultPartial)
      throws ModelFormatException {
    Optional<ConfigFields> params = f.optionalObject("rope_parameters");
    Optional<ConfigFields> legacy = f.optionalObject("rope_scaling");
    ConfigFields scaling = params.orElse(legacy.orElse(null));
    double theta = params.isPresent() && params.get().has("rope_theta")
        ? params.get().positiveDoubleOr("rope_theta", defaultTheta)
        : f.positiveDoubleOr("rope_theta", defaultTheta);
    double partial = params.isPresent() && params.get().has("partial_rotary_factor")
        ? params.get().positiveDoubleOr("partial_rotary_factor", defaultPartial)
        : f.positiveDoubleOr("partial_rotary_factor", defaultPartial);
    if (partial > 1) {
      throw f.problem("partial_rotary_factor", "expected a number in (0, 1], found " + partial);
    }
    int rotaryDim = (int) (headDim * partial);
    if (rotaryDim < 2 || rotaryDim % 2 != 0) {
      throw f.problem("partial_rotary_factor " + partial + " × head_dim " + headDim + " = " + rotaryDim
          + " rotary channels; expected an even number ≥ 2");
    }
    if (scaling == null) {
      return RopeConfig.standard(theta, rotaryDim);
    }
    String typeField = scaling.has("rope_type") ? "rope_type" : "type";
    String typeName = scaling.optionalString(typeField).orElse("default");
    Optional<RopeType> type = RopeType.fromHfName(typeName);
    if (type.isEmpty()) {
      throw scaling.problem(typeField, "rope type '" + typeName + "' is not supported (supported: default, linear,"
          + " llama3)");
    }
    return switch (type.get()) {
      case DEFAULT -> RopeConfig.standard(theta, rotaryDim);
      case LINEAR -> new RopeConfig(RopeType.LINEAR, theta, rotaryDim, requiredPositive(scaling, "factor"), 1, 4,
          0);
      case LLAMA3 -> {
        double low = scaling.positiveDoubleOr("low_freq_factor", 1);
        double high = scaling.positiveDoubleOr("high_freq_factor", 4);
        if (high <= low) {
          throw scaling.problem("high_freq_factor", "must exceed low_freq_factor " + low + ", found " + high);
        }
        int orig = scaling.has("original_max_position_embeddings")
            ? scaling.positiveInt("original_max_position_embeddings")
            : f.positiveInt("original_max_position_embeddings");
        yield new RopeConfig(RopeType.LLAMA3, theta, rotaryDim, requiredPositive(scaling, "factor"), low, high, orig);
      }
    };
  }

  private static double requiredPositive(ConfigFields f, String name) throws ModelFormatException {
    if (!f.has(name)) {
      throw f.problem(name, "is missing (expected a positive number)");
    }
    return f.positiveDoubleOr(name, 1);
  }
}

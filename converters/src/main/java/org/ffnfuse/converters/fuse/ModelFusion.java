package org.ffnfuse.converters.fuse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.converters.export.model.NormWeights;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.BlockConfig;
import org.ffnfuse.formats.config.FfnConfig;
import org.ffnfuse.formats.config.FfnKind;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ResidualLayout;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;
import org.ffnfuse.graph.fusion.BlockRole;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FfnBlock;
import org.ffnfuse.graph.fusion.FfnFuser;
import org.ffnfuse.graph.fusion.FusedFfn;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.ffnfuse.graph.fusion.NormParams;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.pattern.Orientation;

/**
 * Applies a {@link FusionPlan} to a model: each chain {@code s..e} becomes block {@code s}'s attention (if any)
 * followed by one wide FFN ({@link FfnFuser}), and blocks {@code s+1..e} disappear — or, with placeholders, stay as
 * empty blocks (attention and FFN no-op) so that layer numbers do not change, as NVIDIA did for Ultra-253B.
 *
 * <p>Only pre-norm models fuse exactly: with OLMo-2's post-norm or Gemma-2's sandwich norms every FFN's output is
 * normalized on its own, and GPT-NeoX's parallel residual has no FFN-only chains; those are refused.
 */
public final class ModelFusion {
  private ModelFusion() {}

  /** What each block holds, for plan validation. */
  public static List<BlockRole> roles(ModelConfig config) {
    List<BlockRole> roles = new ArrayList<>();
    for (BlockConfig b : config.blocks()) {
      FfnKind f = b.ffn().kind();
      roles.add(new BlockRole(b.attention().kind() != AttentionKind.NONE, f == FfnKind.GATED || f == FfnKind.PLAIN));
    }
    return roles;
  }

  /**
   * Fuses every chain of {@code plan}.
   *
   * @param dtype dtype of the fused weights
   * @param keepPlaceholders keep fused-away blocks as no-op blocks instead of renumbering
   * @throws IllegalArgumentException if the plan does not apply to this model (message says why)
   */
  public static ExportModel fuse(ExportModel model, FusionPlan plan, DType dtype, boolean keepPlaceholders)
      throws IOException {
    ModelConfig config = model.config();
    ResidualLayout layout = config.layout();
    if (layout != ResidualLayout.PRE_NORM) {
      throw new IllegalArgumentException(config.family().modelType() + " uses a " + layout + " residual layout;"
          + " FFN Fusion needs pre-norm blocks (x + ffn(norm(x))), where the parallel FFNs sum exactly");
    }
    plan.check(roles(config));
    List<BlockConfig> blocks = new ArrayList<>();
    List<BlockWeights> weights = new ArrayList<>();
    int i = 0;
    for (ChainRange c : plan.chains()) {
      for (; i < c.first(); i++) {
        blocks.add(config.block(i));
        weights.add(model.blocks().get(i));
      }
      List<FfnBlock> members = new ArrayList<>();
      for (int b = c.first(); b <= c.last(); b++) {
        members.add(member(config, model.blocks().get(b), b));
      }
      FusedFfn fused = FfnFuser.fuse(members, dtype);
      BlockWeights first = model.blocks().get(c.first());
      BlockWeights.Builder w = BlockWeights.builder();
      first.attentionNorm().ifPresent(w::attentionNorm);
      first.attention().ifPresent(w::attention);
      first.linearAttention().ifPresent(w::linearAttention);
      w.ffnNorm(new NormWeights(fused.block().norm().gain(), fused.block().norm().bias()));
      w.ffn(exportFfn(fused));
      FfnKind kind = config.block(c.first()).ffn().kind();
      blocks.add(BlockConfig.of(config.block(c.first()).attention(),
          new FfnConfig(kind, Math.toIntExact(fused.width()))));
      weights.add(w.build());
      for (int b = c.first() + 1; b <= c.last(); b++) {
        if (keepPlaceholders) {
          blocks.add(BlockConfig.of(AttentionConfig.none(), FfnConfig.none()));
          weights.add(BlockWeights.builder().build());
        }
      }
      i = c.last() + 1;
    }
    for (; i < config.numLayers(); i++) {
      blocks.add(config.block(i));
      weights.add(model.blocks().get(i));
    }
    return model.withBlocks(config.withBlocks(blocks), weights);
  }

  /**
   * {@code model} with every FFN padded with zero rows (gate, up) and columns (down) to {@code width(w)}: exact, since
   * a zero gate and up row give a zero activation that the zero down column ignores. Norms are untouched.
   */
  public static ExportModel padFfns(ExportModel model, LongUnaryOperator width) throws IOException {
    ModelConfig config = model.config();
    List<BlockConfig> blocks = new ArrayList<>(config.blocks());
    List<BlockWeights> weights = new ArrayList<>(model.blocks());
    for (int i = 0; i < blocks.size(); i++) {
      BlockWeights w = weights.get(i);
      if (w.ffn().isEmpty()) {
        continue;
      }
      FfnWeights f = w.ffn().get();
      long target = width.applyAsLong(f.width());
      if (target == f.width()) {
        continue;
      }
      long pad = target - f.width();
      Optional<Linear> gate = f.gate().isPresent() ? Optional.of(padOutputs(f.gate().get(), pad)) : Optional.empty();
      FfnWeights padded = new FfnWeights(gate, padOutputs(f.up(), pad), padInputs(f.down(), pad));
      BlockWeights.Builder b = BlockWeights.builder();
      w.attentionNorm().ifPresent(b::attentionNorm);
      w.attention().ifPresent(b::attention);
      w.linearAttention().ifPresent(b::linearAttention);
      w.postAttentionNorm().ifPresent(b::postAttentionNorm);
      w.ffnNorm().ifPresent(b::ffnNorm);
      b.ffn(padded);
      w.postFfnNorm().ifPresent(b::postFfnNorm);
      weights.set(i, b.build());
      blocks.set(i, BlockConfig.of(blocks.get(i).attention(),
          new FfnConfig(blocks.get(i).ffn().kind(), Math.toIntExact(target))));
    }
    return model.withBlocks(config.withBlocks(blocks), weights);
  }

  /** {@code l} with {@code pad} more outputs that are always zero. */
  private static Linear padOutputs(Linear l, long pad) throws IOException {
    Tensor w = l.weight();
    long in = l.inFeatures();
    Tensor padded = l.inputMajor()
        ? Tensors.concatColumns(w.dtype(), List.of(w, Tensors.zeros(w.dtype(), Shape.of(in, pad))), NO_SCALES)
        : Tensors.concatRows(w.dtype(), List.of(w, Tensors.zeros(w.dtype(), Shape.of(pad, in))), NO_SCALES);
    Optional<Tensor> bias = Optional.empty();
    if (l.bias().isPresent()) {
      Tensor b = l.bias().get();
      float[] v = java.util.Arrays.copyOf(b.toFloats(), Math.toIntExact(b.shape().dim(0) + pad));
      bias = Optional.of(org.ffnfuse.formats.tensor.HeapTensor.ofFloats(b.dtype(), Shape.of(v.length), v));
    }
    return new Linear(padded, l.inputMajor(), bias);
  }

  /** {@code l} with {@code pad} more inputs whose weights are zero. */
  private static Linear padInputs(Linear l, long pad) {
    Tensor w = l.weight();
    long out = l.outFeatures();
    Tensor padded = l.inputMajor()
        ? Tensors.concatRows(w.dtype(), List.of(w, Tensors.zeros(w.dtype(), Shape.of(pad, out))), NO_SCALES)
        : Tensors.concatColumns(w.dtype(), List.of(w, Tensors.zeros(w.dtype(), Shape.of(out, pad))), NO_SCALES);
    return new Linear(padded, l.inputMajor(), l.bias());
  }

  private static final List<Optional<float[]>> NO_SCALES = List.of(Optional.empty(), Optional.empty());

  /** Block {@code index}'s FFN branch as a fusion member. */
  static FfnBlock member(ModelConfig config, BlockWeights w, int index) {
    NormWeights n = w.ffnNorm().orElseThrow(() -> new IllegalArgumentException("block " + index
        + " has no norm before its FFN"));
    FfnWeights f = w.ffn().orElseThrow(() -> new IllegalArgumentException("block " + index + " has no FFN"));
    NormKind kind = switch (config.norm().kind()) {
      case RMS -> NormKind.RMS_NORM;
      case LAYER -> NormKind.LAYER_NORM;
    };
    NormParams norm = new NormParams(kind, config.norm().eps(), n.weight(), (float) config.norm().weightOffset(),
        n.bias());
    boolean inputMajor = f.up().inputMajor();
    if (f.down().inputMajor() != inputMajor || f.gate().map(Linear::inputMajor).orElse(inputMajor) != inputMajor) {
      throw new IllegalArgumentException("block " + index + ": FFN projections are stored in mixed orientations");
    }
    Orientation orientation = inputMajor ? Orientation.IN_OUT : Orientation.OUT_IN;
    return new FfnBlock(norm, new org.ffnfuse.graph.fusion.FfnWeights(activation(config), orientation,
        f.gate().map(Linear::weight), f.up().weight(), f.down().weight(), f.gate().flatMap(Linear::bias),
        f.up().bias(), f.down().bias()));
  }

  private static Activation activation(ModelConfig config) {
    return switch (config.activation()) {
      case SILU -> Activation.SILU;
      case GELU -> Activation.GELU;
      case GELU_TANH -> Activation.GELU_TANH;
      case RELU -> Activation.RELU;
    };
  }

  private static FfnWeights exportFfn(FusedFfn fused) {
    org.ffnfuse.graph.fusion.FfnWeights f = fused.block().ffn();
    boolean inputMajor = f.orientation() == Orientation.IN_OUT;
    Linear up = new Linear(f.up(), inputMajor, f.upBias());
    Linear down = new Linear(f.down(), inputMajor, f.downBias());
    Optional<Linear> gate = f.gate().map(g -> new Linear(g, inputMajor, f.gateBias()));
    return new FfnWeights(gate, up, down);
  }
}

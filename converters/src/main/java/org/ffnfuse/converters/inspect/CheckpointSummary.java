package org.ffnfuse.converters.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ffnfuse.converters.export.model.AttentionWeights;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.export.model.FfnWeights;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.converters.export.model.NormWeights;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ResidualLayout;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.pattern.Activation;
import org.ffnfuse.graph.pattern.FfnKind;
import org.ffnfuse.graph.pattern.NormKind;
import org.ffnfuse.graph.structure.ModelSummary;
import org.ffnfuse.graph.structure.ModelSummary.BlockSummary;

/**
 * The {@link ModelSummary} of a checkpoint, from its config and the shapes of the tensors the family layout maps
 * (no weights read, nothing exported). Fields mean what they mean for an ONNX graph, except {@code attentionKind},
 * which a checkpoint states by its heads ({@code mha}, {@code gqa}, {@code mqa}, or {@code linear} for nemotron-nas
 * {@code replace_with_linear}) where a graph states its operators ({@code decomposed} or a fused op's name).
 */
final class CheckpointSummary {
  private CheckpointSummary() {}

  static ModelSummary of(ModelConfig config, ExportModel model, SafetensorsCheckpoint checkpoint) {
    Activation act = switch (config.activation()) {
      case SILU -> Activation.SILU;
      case GELU -> Activation.GELU;
      case GELU_TANH -> Activation.GELU_TANH;
      case RELU -> Activation.RELU;
    };
    String norm = (config.norm().kind() == org.ffnfuse.formats.config.NormKind.RMS ? NormKind.RMS_NORM
        : NormKind.LAYER_NORM).jsonName();
    boolean parallel = config.layout() == ResidualLayout.PARALLEL;
    List<BlockSummary> blocks = new ArrayList<>();
    long attnTotal = 0;
    long ffnTotal = 0;
    for (int i = 0; i < model.blocks().size(); i++) {
      BlockWeights w = model.blocks().get(i);
      AttentionConfig a = config.block(i).attention();
      long attn = w.attention().map(CheckpointSummary::count).orElse(0L)
          + w.linearAttention().map(CheckpointSummary::count).orElse(0L);
      long ffn = w.ffn().map(CheckpointSummary::count).orElse(0L);
      attnTotal += attn;
      ffnTotal += ffn;
      Optional<FfnWeights> f = w.ffn();
      String kind = f.map(x -> ffnKind(x.gate().isPresent(), act).jsonName()).orElse("none");
      boolean hasNorm = w.ffnNorm().isPresent() || w.attentionNorm().isPresent();
      blocks.add(new BlockSummary(i, a.kind() != AttentionKind.NONE, attentionKind(a), kind,
          f.map(FfnWeights::width).orElse(0L), f.isPresent() ? act.jsonName() : "none", hasNorm ? norm : "none",
          parallel && f.isPresent() && a.kind() != AttentionKind.NONE, attn, ffn));
    }
    long embedding = model.embedding().shape().elementCount()
        + model.positionEmbedding().map(t -> t.shape().elementCount()).orElse(0L);
    long total = 0;
    for (String name : checkpoint.names()) {
      Tensor t = checkpoint.tensor(name);
      if (t.dtype().convertsToFloat()) {
        total += t.shape().elementCount();
      }
    }
    return new ModelSummary(config.hiddenSize(), config.vocabSize(), blocks, ModelSummary.chainsOf(blocks), norm,
        model.tiedHead(), new ModelSummary.ParameterSummary(total, embedding, attnTotal, ffnTotal));
  }

  static FfnKind ffnKind(boolean gated, Activation act) {
    return switch (act) {
      case SILU -> gated ? FfnKind.SWIGLU : FfnKind.SILU_MLP;
      case RELU -> gated ? FfnKind.REGLU : FfnKind.RELU_MLP;
      default -> gated ? FfnKind.GEGLU : FfnKind.GELU_MLP;
    };
  }

  private static String attentionKind(AttentionConfig a) {
    return switch (a.kind()) {
      case NONE -> "none";
      case LINEAR -> "linear";
      case FULL -> a.numKvHeads() == a.numHeads() ? "mha" : a.numKvHeads() == 1 ? "mqa" : "gqa";
    };
  }

  private static long count(AttentionWeights a) {
    long n = count(a.q()) + count(a.k()) + count(a.v()) + count(a.o());
    return n + a.qNorm().map(CheckpointSummary::count).orElse(0L) + a.kNorm().map(CheckpointSummary::count).orElse(0L);
  }

  private static long count(FfnWeights f) {
    return f.gate().map(CheckpointSummary::count).orElse(0L) + count(f.up()) + count(f.down());
  }

  private static long count(Linear l) {
    return l.weight().shape().elementCount() + l.bias().map(b -> b.shape().elementCount()).orElse(0L);
  }

  private static long count(NormWeights n) {
    return n.weight().shape().elementCount() + n.bias().map(b -> b.shape().elementCount()).orElse(0L);
  }
}

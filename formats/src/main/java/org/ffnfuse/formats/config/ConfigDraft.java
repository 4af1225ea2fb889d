package org.ffnfuse.formats.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.ffnfuse.formats.tensor.DType;

/** The mutable values a family parser fills in before they become a {@link ModelConfig}; defaults are Llama's. */
final class ConfigDraft {
  final ModelFamily family;
  int hiddenSize;
  int vocabSize;
  int maxPositions;
  List<BlockConfig> blocks = new ArrayList<>();
  NormConfig norm;
  Activation activation = Activation.SILU;
  Optional<RopeConfig> rope = Optional.empty();
  boolean tieWordEmbeddings;
  DType dtype = DType.F32;
  BiasConfig bias = BiasConfig.none();
  ResidualLayout layout = ResidualLayout.PRE_NORM;
  QkNorm qkNorm = QkNorm.NONE;
  Scaling scaling = Scaling.identity();
  OptionalInt bosTokenId = OptionalInt.empty();

  ConfigDraft(ModelFamily family) {
    this.family = family;
  }

  ModelConfig build(JsonNode raw, Path source) {
    return new ModelConfig(family, hiddenSize, vocabSize, maxPositions, blocks, norm, activation, rope,
        tieWordEmbeddings, dtype, bias, layout, qkNorm, scaling, bosTokenId, raw, source);
  }
}

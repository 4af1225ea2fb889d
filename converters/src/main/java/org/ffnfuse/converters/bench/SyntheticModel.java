package org.ffnfuse.converters.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The shape of a generated Llama-style checkpoint: sizes as in the real model's config.json, plus the blocks whose
 * attention was removed (a non-empty set makes it a nemotron-nas checkpoint with attention {@code no_op} there, as
 * NVIDIA ships Puzzle models).
 *
 * @param name preset name ({@code 1b}, {@code 3b}, {@code 8b}) or a free label
 * @param attentionFreeBlocks sorted block indices without attention (and without {@code input_layernorm})
 */
public record SyntheticModel(String name, int hiddenSize, int numLayers, int intermediateSize, int numHeads,
    int numKvHeads, int headDim, int vocabSize, boolean tiedEmbeddings, double ropeTheta, double ropeFactor,
    List<Integer> attentionFreeBlocks) {

  /** Validates sizes; copies the block list sorted and de-duplicated. */
  public SyntheticModel {
    checkArgument(hiddenSize > 0 && numLayers > 0 && intermediateSize > 0 && headDim > 0 && vocabSize > 0,
        "sizes must be positive");
    checkArgument(numHeads > 0 && numKvHeads > 0 && numHeads % numKvHeads == 0,
        "%s heads do not split into groups of %s KV heads", numHeads, numKvHeads);
    attentionFreeBlocks = List.copyOf(new TreeSet<>(attentionFreeBlocks));
    for (int b : attentionFreeBlocks) {
      checkArgument(b >= 0 && b < numLayers, "block %s is outside 0..%s", b, numLayers - 1);
    }
  }

  /**
   * The shapes of Meta's Llama 3 models (their published config.json): {@code 1b} = Llama-3.2-1B, {@code 3b} =
   * Llama-3.2-3B, {@code 8b} = Llama-3.1-8B; all with grouped-query attention (8 KV heads), vocabulary 128256 and
   * llama3 rope scaling. {@code tiny} (hidden 256, 16 layers, 7 MB) is the same architecture for tests.
   *
   * @throws IllegalArgumentException for another name
   */
  public static SyntheticModel preset(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "1b" -> new SyntheticModel("1b", 2048, 16, 8192, 32, 8, 64, 128256, true, 500000, 32, List.of());
      case "3b" -> new SyntheticModel("3b", 3072, 28, 8192, 24, 8, 128, 128256, true, 500000, 32, List.of());
      case "8b" -> new SyntheticModel("8b", 4096, 32, 14336, 32, 8, 128, 128256, false, 500000, 8, List.of());
      case "tiny" -> new SyntheticModel("tiny", 256, 16, 768, 4, 2, 64, 1024, false, 500000, 8, List.of());
      default -> throw new IllegalArgumentException("unknown model size '" + name + "' (known: 1b, 3b, 8b, tiny)");
    };
  }

  /** This shape with {@code layers} blocks (attention-free blocks past the end are dropped). */
  public SyntheticModel withLayers(int layers) {
    checkArgument(layers > 0, "layers must be positive, got %s", layers);
    return new SyntheticModel(name, hiddenSize, layers, intermediateSize, numHeads, numKvHeads, headDim, vocabSize,
        tiedEmbeddings, ropeTheta, ropeFactor, attentionFreeBlocks.stream().filter(b -> b < layers).toList());
  }

  /** This shape with attention removed in blocks {@code first..last} (inclusive): a nemotron-nas checkpoint. */
  public SyntheticModel withoutAttention(int first, int last) {
    checkArgument(0 <= first && first <= last && last < numLayers, "blocks %s..%s of a %s-layer model", first, last,
        numLayers);
    List<Integer> blocks = IntStream.rangeClosed(first, last).boxed().toList();
    return new SyntheticModel(name, hiddenSize, numLayers, intermediateSize, numHeads, numKvHeads, headDim, vocabSize,
        tiedEmbeddings, ropeTheta, ropeFactor, blocks);
  }

  /** This shape with a smaller hidden size, FFN width and vocabulary: for tests that need a few hundred MB. */
  public SyntheticModel scaled(int hidden, int intermediate, int vocab, int heads, int kvHeads) {
    return new SyntheticModel(name + "-scaled", hidden, numLayers, intermediate, heads, kvHeads, hidden / heads, vocab,
        tiedEmbeddings, ropeTheta, ropeFactor, attentionFreeBlocks);
  }

  /** Whether the checkpoint is nemotron-nas (some attention removed) rather than plain Llama. */
  public boolean isNemotronNas() {
    return !attentionFreeBlocks.isEmpty();
  }

  /** Whether block {@code i} has attention. */
  public boolean hasAttention(int i) {
    return !attentionFreeBlocks.contains(i);
  }

  /** Parameters in the checkpoint. */
  public long parameterCount() {
    long h = hiddenSize;
    long attention = h * numHeads * headDim * 2 + h * numKvHeads * headDim * 2 + h; // q, o, k, v, input norm
    long ffn = 3 * h * intermediateSize + h; // gate, up, down, post-attention norm
    long blocks = numLayers * ffn + (long) (numLayers - attentionFreeBlocks.size()) * attention;
    return (tiedEmbeddings ? 1 : 2) * (long) vocabSize * h + h + blocks;
  }

  /** Bytes of BF16 tensor data. */
  public long byteSize() {
    return 2 * parameterCount();
  }

  /** A short label such as {@code 8b-32L-nas9-15}. */
  public String label() {
    String nas = attentionFreeBlocks.isEmpty() ? ""
        : "-nas" + attentionFreeBlocks.get(0) + "-" + attentionFreeBlocks.get(attentionFreeBlocks.size() - 1);
    return name + "-" + numLayers + "L" + nas;
  }
}

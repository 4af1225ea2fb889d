package org.ffnfuse.graph.structure;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.BlockQuantization;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.MatMulNBitsPattern;

/**
 * What {@code ffnfuse inspect} shows, as plain records that serialize to JSON as-is (Jackson reads record
 * components): {@code {"blocks":[{"index":0,"attention":true,"ffn":"swiglu","ffnWidth":512,"norm":"rmsnorm",...}],
 * "chains":[{"first":7,"last":14}],"parameters":{...}}}. Absent parts are spelled {@code "none"} / 0, not null.
 *
 * @param hidden model width
 * @param vocab vocabulary size
 * @param blocks one entry per block
 * @param chains FFN chains
 * @param finalNorm kind of the final norm
 * @param tiedEmbeddings whether the LM head reuses the embedding
 * @param parameters parameter counts
 */
public record ModelSummary(long hidden, long vocab, List<BlockSummary> blocks, List<ChainSummary> chains,
    String finalNorm, boolean tiedEmbeddings, ParameterSummary parameters) {
  public ModelSummary {
    blocks = List.copyOf(blocks);
    chains = List.copyOf(chains);
  }

  /**
   * One block.
   *
   * @param index block index
   * @param attention whether the block has attention
   * @param attentionKind {@code decomposed}, a fused op name, or {@code none}
   * @param ffn FFN kind ({@code swiglu}, {@code geglu}, {@code gelu-mlp}...) or {@code none}
   * @param ffnWidth intermediate size, 0 without FFN
   * @param activation the FFN activation ({@code silu}, {@code gelu_tanh}...) or {@code none}
   * @param norm kind of the FFN's norm (else the attention's) or {@code none}
   * @param parallelResidual attention and FFN read the same stream
   * @param attentionParameters parameters in the attention branch (weights and biases)
   * @param ffnParameters parameters in the FFN (weights and biases)
   */
  public record BlockSummary(int index, boolean attention, String attentionKind, String ffn, long ffnWidth,
      String activation, String norm, boolean parallelResidual, long attentionParameters, long ffnParameters) {}

  /**
   * A chain of consecutive FFNs.
   *
   * @param first first block
   * @param last last block (inclusive)
   */
  public record ChainSummary(int first, int last) {}

  /**
   * Parameter counts (elements of float initializers, each initializer counted once; a block-quantized weight
   * counts its logical {@code N·K} elements, its scales and zero points nothing).
   *
   * @param total all float initializers
   * @param embedding the token embedding (and a position embedding)
   * @param attention all attention branches
   * @param ffn all FFNs
   */
  public record ParameterSummary(long total, long embedding, long attention, long ffn) {}

  /** The summary of {@code s}, recognized in {@code g}. */
  public static ModelSummary of(TransformerStructure s, Graph g) {
    Sizes sizes = Sizes.of(g, s.embedding());
    List<BlockSummary> blocks = new ArrayList<>();
    long attnTotal = 0;
    long ffnTotal = 0;
    for (Block b : s.blocks()) {
      long attn = b.attention().map(a -> sizes.count(initializersOf(g, a.nodes(), sizes))).orElse(0L);
      long ffn = b.ffn().map(f -> sizes.count(ffnInitializers(f.ffn()))).orElse(0L);
      attnTotal += attn;
      ffnTotal += ffn;
      String norm = b.ffn().map(f -> f.norm().kind().jsonName())
          .or(() -> b.attention().map(a -> a.norm().kind().jsonName())).orElse("none");
      blocks.add(new BlockSummary(b.index(), b.attention().isPresent(),
          b.attention().map(AttentionBranch::kind).orElse("none"),
          b.ffn().map(f -> f.ffn().kind().jsonName()).orElse("none"), b.ffn().map(f -> f.ffn().width()).orElse(0L),
          b.ffn().map(f -> f.ffn().activation().jsonName()).orElse("none"), norm, b.parallelResidual(), attn, ffn));
    }
    Set<String> emb = new HashSet<>(List.of(s.embedding().weight()));
    s.embedding().positionEmbedding().ifPresent(emb::add);
    long total = sizes.count(g.initializers().stream()
        .filter(i -> i.isFloat() || sizes.quantized().containsKey(i.name())).map(InitializerInfo::name)
        .collect(Collectors.toSet()));
    return new ModelSummary(s.hidden(), s.embedding().vocab(), blocks,
        s.chains().stream().map(c -> new ChainSummary(c.first(), c.last())).toList(), s.finalNorm().kind().jsonName(),
        s.lmHead().tied(), new ParameterSummary(total, sizes.count(emb), attnTotal, ffnTotal));
  }

  /**
   * The FFN chains of {@code blocks} (in index order), as {@link Chain#of} finds them: maximal runs of at least two
   * blocks with an FFN where no block after the first has attention. For summaries not made from a graph
   * (checkpoints).
   */
  public static List<ChainSummary> chainsOf(List<BlockSummary> blocks) {
    List<ChainSummary> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= blocks.size(); i++) {
      BlockSummary b = i < blocks.size() ? blocks.get(i) : null;
      boolean hasFfn = b != null && b.ffnWidth() > 0;
      if (start >= 0 && hasFfn && !b.attention()) {
        continue;
      }
      if (start >= 0 && i - 1 > start) {
        out.add(new ChainSummary(start, i - 1));
      }
      start = hasFfn ? i : -1;
    }
    return out;
  }

  private static Set<String> ffnInitializers(FfnMatch f) {
    Set<String> out = new HashSet<>();
    List<LinearMatch> linears = new ArrayList<>();
    f.gate().ifPresent(linears::add);
    f.up().ifPresent(linears::add);
    f.gateUp().ifPresent(x -> linears.add(x.linear()));
    linears.add(f.down());
    for (LinearMatch l : linears) {
      out.add(l.weight());
      l.bias().ifPresent(out::add);
    }
    f.activationBias().ifPresent(out::add);
    return out;
  }

  private static Set<String> initializersOf(Graph g, List<Node> nodes, Sizes sizes) {
    Set<String> out = new HashSet<>();
    for (Node n : nodes) {
      for (int k = 0; k < n.inputs().size(); k++) {
        String in = n.input(k);
        Optional<String> i = in.isEmpty() || rotaryCache(n, k) ? Optional.empty() : g.initializerBehind(in);
        i.filter(x -> sizes.quantized().containsKey(x) || g.initializer(x).map(info -> info.isFloat()
            && info.shape().rank() >= 1 && info.shape().elementCount() > 1).orElse(false)).ifPresent(out::add);
      }
    }
    return out;
  }

  /** Whether input {@code k} of {@code n} is a precomputed cos/sin table (a buffer, not a parameter). */
  private static boolean rotaryCache(Node n, int k) {
    return (n.is("com.microsoft", "GroupQueryAttention") && (k == 7 || k == 8))
        || (n.is("com.microsoft", "RotaryEmbedding") && (k == 2 || k == 3));
  }

  /**
   * Parameter sizes: a block-quantized weight counts its logical {@code [N, K]} elements, its scales and zero points
   * count nothing (they are how the weight is stored, not parameters of the model).
   */
  private record Sizes(Graph g, Map<String, Long> quantized, Set<String> storage) {
    static Sizes of(Graph g, Embedding emb) {
      Map<String, Long> quantized = new HashMap<>();
      Set<String> storage = new HashSet<>();
      MatMulNBitsPattern nbits = new MatMulNBitsPattern();
      for (LinearMatch l : nbits.findAll(g)) {
        quantized.put(l.weight(), l.in() * l.out());
        l.quantization().ifPresent(q -> add(storage, q));
      }
      emb.quantization().ifPresent(q -> {
        quantized.put(emb.weight(), emb.vocab() * emb.hidden());
        add(storage, q);
      });
      return new Sizes(g, quantized, storage);
    }

    private static void add(Set<String> storage, BlockQuantization q) {
      storage.add(q.scales());
      q.zeroPoints().ifPresent(storage::add);
    }

    long count(Set<String> initializers) {
      return initializers.stream().filter(i -> !storage.contains(i))
          .mapToLong(i -> quantized.getOrDefault(i, g.initializer(i).orElseThrow().shape().elementCount())).sum();
    }
  }
}

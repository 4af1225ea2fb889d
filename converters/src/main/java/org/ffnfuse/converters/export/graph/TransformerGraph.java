package org.ffnfuse.converters.export.graph;

import static org.ffnfuse.converters.export.graph.GraphBuilder.attr;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ffnfuse.converters.export.model.BlockWeights;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.converters.export.model.Linear;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.AttentionKind;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ResidualLayout;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;

/**
 * The ONNX graph of a causal LM: inputs {@code input_ids [batch, seq]}, {@code attention_mask [batch, past + seq]},
 * optionally {@code position_ids [batch, seq]} and {@code past_key_values.{i}.key|value [batch, kv, past, d]};
 * outputs {@code logits [batch, seq, vocab]} and {@code present.{i}.key|value}. Without {@code position_ids} the
 * positions are {@code past .. past + seq − 1}, as Hugging Face's forward uses without them.
 */
public final class TransformerGraph {
  /** Default-domain opset of exported graphs. */
  public static final int OPSET = 17;
  private static final float MASK_MIN = -Float.MAX_VALUE; // torch.finfo(float32).min, as HF masks

  private final ExportModel model;
  private final ModelConfig c;
  private final GraphBuilder g = new GraphBuilder("ffnfuse-export");
  private final Layers layers;
  private final boolean kvCache;
  private final boolean positionIdsInput;
  private final Map<Integer, String> maskBiases = new HashMap<>();
  private String causal;
  private String maskInput;
  private String embedTable;
  private String keyIdx;
  private String queryIdx;

  /** A built graph: the proto (initializers without data) and the data of every weight initializer. */
  public record Built(ModelProto proto, Map<String, Tensor> tensorData, List<String> operators) {}

  private TransformerGraph(ExportModel model, DType weightType, boolean kvCache, boolean positionIdsInput) {
    this.model = model;
    this.c = model.config();
    this.layers = new Layers(g, weightType);
    this.kvCache = kvCache;
    this.positionIdsInput = positionIdsInput;
  }

  /**
   * Builds the graph.
   *
   * @param weightType F32 or F16: storage type of the large weights (compute is fp32 throughout)
   */
  public static Built build(ExportModel model, DType weightType, boolean kvCache, boolean positionIdsInput) {
    com.google.common.base.Preconditions.checkArgument(weightType == DType.F32 || weightType == DType.F16,
        "weights are exported as F32 or F16, not %s", weightType);
    TransformerGraph t = new TransformerGraph(model, weightType, kvCache, positionIdsInput);
    t.buildGraph();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("ffnfuse.model_type", t.c.family().modelType());
    meta.put("ffnfuse.num_layers", Integer.toString(t.c.numLayers()));
    ModelProto proto = t.g.build(OPSET, meta);
    return new Built(proto, t.g.tensorData(), List.copyOf(t.g.opTypes()));
  }

  private void buildGraph() {
    String ids = g.input("input_ids", GraphBuilder.INT64, List.of("batch_size", "sequence_length"));
    String mask = g.input("attention_mask", GraphBuilder.INT64, List.of("batch_size", "total_sequence_length"));
    maskInput = mask;
    Optional<String> posIds = positionIdsInput
        ? Optional.of(g.input("position_ids", GraphBuilder.INT64, List.of("batch_size", "sequence_length")))
        : Optional.empty();
    String p = "/model/positions";
    String seqLen = g.op("Shape", p, List.of(ids), attr("start", 1), attr("end", 2));
    String totalLen = g.op("Shape", p, List.of(mask), attr("start", 1), attr("end", 2));
    String pastLen = g.op("Sub", p, List.of(totalLen, seqLen));
    String past0 = g.op("Squeeze", p, List.of(pastLen, g.ints(0)));
    String total0 = g.op("Squeeze", p, List.of(totalLen, g.ints(0)));
    queryIdx = g.op("Range", p, List.of(past0, total0, g.scalarInt(1))); // [s]: absolute index of each query
    keyIdx = g.op("Range", p, List.of(g.scalarInt(0), total0, g.scalarInt(1))); // [T]
    String positions = posIds.orElseGet(() -> g.op("Unsqueeze", p, List.of(queryIdx, g.ints(0)))); // [b|1, s]

    List<Optional<String[]>> caches = new ArrayList<>();
    List<Runnable> presentOutputs = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      AttentionConfig a = c.block(i).attention();
      if (kvCache && a.kind() == AttentionKind.FULL) {
        List<Object> pastDims = List.of("batch_size", (long) a.numKvHeads(), "past_sequence_length", (long) a.headDim());
        List<Object> presentDims = List.of("batch_size", (long) a.numKvHeads(), "total_sequence_length",
            (long) a.headDim());
        String[] names = {"past_key_values." + i + ".key", "past_key_values." + i + ".value", "present." + i + ".key",
            "present." + i + ".value"};
        g.input(names[0], GraphBuilder.FLOAT, pastDims);
        g.input(names[1], GraphBuilder.FLOAT, pastDims);
        caches.add(Optional.of(names));
        presentOutputs.add(() -> {
          g.output(names[2], GraphBuilder.FLOAT, presentDims);
          g.output(names[3], GraphBuilder.FLOAT, presentDims);
        });
      } else {
        caches.add(Optional.empty());
      }
    }
    String x = embeddings(ids, positions);
    AttentionGraph.Context ctx = rotary(positions);
    AttentionGraph attention = new AttentionGraph(layers, c);
    for (int i = 0; i < c.numLayers(); i++) {
      x = block(i, x, attention, ctx, caches.get(i));
    }
    x = layers.norm("/model/norm", x, model.finalNorm(), c.norm());
    String logits = head(x);
    List<Object> logitDims = List.of("batch_size", "sequence_length", (long) c.vocabSize());
    g.opNamed("Identity", "/logits", List.of(logits), "logits");
    g.output("logits", GraphBuilder.FLOAT, logitDims); // Optimum's order: logits, then present.{i}.key|value
    presentOutputs.forEach(Runnable::run);
  }

  private String embeddings(String ids, String positions) {
    String s = "/model/embed_tokens";
    String table = layers.weight("model.embed_tokens.weight", model.embedding(), s);
    embedTable = table;
    String x = g.op("Gather", s, List.of(table, ids));
    if (c.scaling().embeddingMultiplier() != 1) {
      x = g.op("Mul", s, List.of(x, g.scalarFloat((float) c.scaling().embeddingMultiplier())));
    }
    if (model.positionEmbedding().isPresent()) {
      String ps = "/model/embed_positions";
      String pt = layers.weight("model.embed_positions.weight", model.positionEmbedding().get(), ps);
      x = g.op("Add", ps, List.of(x, g.op("Gather", ps, List.of(pt, positions))));
    }
    return x;
  }

  /** cos/sin {@code [b|1, 1, s, rot]} in fp32 as HF computes them (fp32 position × inverse frequency). */
  private AttentionGraph.Context rotary(String positions) {
    if (c.rope().isEmpty()) {
      return new AttentionGraph.Context(Optional.empty(), Optional.empty(), this::maskBias);
    }
    String s = "/model/rotary_emb";
    String inv = g.floats("model.rotary_emb.inv_freq", c.rope().get().inverseFrequencies());
    String pos = g.op("Cast", s, List.of(g.op("Unsqueeze", s, List.of(positions, g.ints(2)))),
        attr("to", GraphBuilder.FLOAT));
    String freqs = g.op("Mul", s, List.of(pos, inv)); // [b, s, rot/2]
    String emb = g.op("Concat", s, List.of(freqs, freqs), attr("axis", -1));
    String cos = g.op("Unsqueeze", s, List.of(g.op("Cos", s, List.of(emb)), g.ints(1)));
    String sin = g.op("Unsqueeze", s, List.of(g.op("Sin", s, List.of(emb)), g.ints(1)));
    return new AttentionGraph.Context(Optional.of(cos), Optional.of(sin), this::maskBias);
  }

  /**
   * Additive bias {@code [b, 1, 1, s, T]}: 0 where query i may see key j (j ≤ i, j > i − window, mask[j] = 1), else
   * the float32 minimum. Combined with Min so two masked reasons never overflow to −∞ (a fully masked row stays
   * finite, so padding produces no NaN).
   */
  private String maskBias(int window) {
    return maskBiases.computeIfAbsent(window, w -> {
      String s = "/model/attention_mask" + (w > 0 ? "/window_" + w : "");
      String q = g.op("Unsqueeze", s, List.of(queryIdx, g.ints(1))); // [s, 1]
      String min = g.scalarFloat(MASK_MIN);
      String zero = g.scalarFloat(0f);
      if (causal == null) {
        String future = g.op("Greater", s, List.of(keyIdx, q)); // [s, T]
        String causalBias = g.op("Where", s, List.of(future, min, zero));
        String pad = g.op("Equal", s, List.of(maskInput, g.scalarInt(0))); // [b, T]
        String padBias = g.op("Where", s, List.of(g.op("Unsqueeze", s, List.of(pad, g.ints(1, 2, 3))), min, zero));
        causal = g.op("Min", s, List.of(causalBias, padBias)); // [b, 1, 1, s, T]
      }
      if (w == 0) {
        return causal;
      }
      String tooFar = g.op("Less", s, List.of(keyIdx, g.op("Sub", s, List.of(q, g.scalarInt(w - 1)))));
      return g.op("Min", s, List.of(causal, g.op("Where", s, List.of(tooFar, min, zero))));
    });
  }

  private String block(int i, String x, AttentionGraph attention, AttentionGraph.Context ctx,
      Optional<String[]> cache) {
    String s = "/model/layers." + i;
    BlockWeights w = model.blocks().get(i);
    AttentionConfig a = c.block(i).attention();
    ResidualLayout layout = c.layout();
    Optional<String> attnOut = Optional.empty();
    if (a.kind() != AttentionKind.NONE) {
      String in = w.attentionNorm().isPresent()
          ? layers.norm(s + "/input_layernorm", x, w.attentionNorm().get(), c.norm()) : x;
      String out = a.kind() == AttentionKind.FULL
          ? attention.build(s + "/self_attn", in, a, w.attention().get(), ctx, cache)
          : layers.linear(s + "/self_attn/linear_attn", in, w.linearAttention().get());
      if (w.postAttentionNorm().isPresent()) {
        out = layers.norm(s + "/post_attention_layernorm", out, w.postAttentionNorm().get(), c.norm());
      }
      attnOut = Optional.of(scaleResidual(s + "/self_attn", out));
    }
    String h = layout == ResidualLayout.PARALLEL || attnOut.isEmpty() ? x
        : g.op("Add", s + "/attn_residual", List.of(x, attnOut.get()));
    Optional<String> ffnOut = Optional.empty();
    if (w.ffn().isPresent() || w.linearFfn().isPresent()) {
      String in = w.ffnNorm().isPresent()
          ? layers.norm(s + (layout == ResidualLayout.SANDWICH ? "/pre_feedforward_layernorm"
              : "/post_attention_layernorm"), h, w.ffnNorm().get(), c.norm()) : h;
      String out = w.ffn().isPresent() ? layers.ffn(s + "/mlp", in, w.ffn().get(), c.activation())
          : layers.linear(s + "/mlp/linear_mlp", in, w.linearFfn().get());
      if (w.postFfnNorm().isPresent()) {
        out = layers.norm(s + "/post_feedforward_layernorm", out, w.postFfnNorm().get(), c.norm());
      }
      ffnOut = Optional.of(scaleResidual(s + "/mlp", out));
    }
    if (layout == ResidualLayout.PARALLEL && attnOut.isPresent() && ffnOut.isPresent()) {
      // GPTNeoXLayer: mlp_output + attn_output + residual
      return g.op("Add", s + "/residual", List.of(g.op("Add", s + "/residual", List.of(ffnOut.get(), attnOut.get())),
          x));
    }
    if (layout == ResidualLayout.PARALLEL && attnOut.isPresent()) {
      h = g.op("Add", s + "/attn_residual", List.of(x, attnOut.get()));
    }
    return ffnOut.isPresent() ? g.op("Add", s + "/mlp_residual", List.of(h, ffnOut.get())) : h;
  }

  private String scaleResidual(String scope, String branch) {
    double m = c.scaling().residualMultiplier();
    return m == 1 ? branch : g.op("Mul", scope + "/residual_multiplier", List.of(branch, g.scalarFloat((float) m)));
  }

  private String head(String x) {
    String s = "/lm_head";
    String logits;
    Optional<Linear> head = model.lmHead();
    if (head.isPresent()) {
      logits = layers.linear(s, x, head.get());
    } else {
      // Tied: Gemm with transB on the token embedding itself, so the table is stored once.
      String table = embedTable;
      String flat = g.op("Reshape", s, List.of(x, g.ints(-1, c.hiddenSize())));
      String y = g.op("Gemm", s, List.of(flat, table), attr("transB", 1));
      String outShape = g.op("Concat", s, List.of(g.op("Shape", s, List.of(x), attr("start", 0), attr("end", 2)),
          g.ints(c.vocabSize())), attr("axis", 0));
      logits = g.op("Reshape", s, List.of(y, outShape));
    }
    if (c.scaling().logitsDivisor() != 1) {
      logits = g.op("Div", s, List.of(logits, g.scalarFloat((float) c.scaling().logitsDivisor())));
    }
    if (c.scaling().finalLogitSoftcap().isPresent()) {
      String cap = g.scalarFloat((float) c.scaling().finalLogitSoftcap().getAsDouble());
      logits = g.op("Mul", s + "/softcap", List.of(g.op("Tanh", s + "/softcap",
          List.of(g.op("Div", s + "/softcap", List.of(logits, cap)))), cap));
    }
    return logits;
  }
}

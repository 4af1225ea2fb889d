package org.ffnfuse.converters.export.graph;

import static org.ffnfuse.converters.export.graph.GraphBuilder.attr;
import static org.ffnfuse.converters.export.graph.GraphBuilder.attrs;

import java.util.List;
import java.util.Optional;
import org.ffnfuse.converters.export.model.AttentionWeights;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.QkNorm;

/**
 * Causal self-attention with grouped KV heads, as Hugging Face's eager attention computes it:
 * <pre>
 *   q,k,v = x·Wq, x·Wk, x·Wv (+b)  → [b, heads, s, d] (q/k norms, then rotate-half RoPE on the first rotary dims)
 *   k,v   = concat(past, k/v)      → present.i.key/value           (KV cache only)
 *   p     = softmax(q·kᵀ·scale [softcap] + mask) over keys, per group of heads sharing one KV head
 *   out   = (p·v → [b, s, heads·d])·Wo (+b)
 * </pre>
 * Grouped heads are handled without copying K/V: q is viewed as {@code [b, kvHeads, group, s, d]} and K/V as
 * {@code [b, kvHeads, 1, T, d]}, so MatMul broadcasts over the group.
 */
final class AttentionGraph {
  private final Layers layers;
  private final GraphBuilder g;
  private final ModelConfig config;

  AttentionGraph(Layers layers, ModelConfig config) {
    this.layers = layers;
    this.g = layers.graph();
    this.config = config;
  }

  /** Per-run values shared by every attention block. */
  record Context(Optional<String> cos, Optional<String> sin, java.util.function.IntFunction<String> maskBias) {}

  /**
   * The attention branch of one block.
   *
   * @param cache with a KV cache: past key, past value, present key, present value names
   */
  String build(String scope, String x, AttentionConfig a, AttentionWeights w, Context ctx, Optional<String[]> cache) {
    int heads = a.numHeads();
    int kvHeads = a.numKvHeads();
    int d = a.headDim();
    String q = heads(scope + "/q", layers.linear(scope + "/q_proj", x, w.q()), heads, d, w.qNorm(), scope + "/q_norm");
    String k = heads(scope + "/k", layers.linear(scope + "/k_proj", x, w.k()), kvHeads, d, w.kNorm(),
        scope + "/k_norm");
    String v = g.op("Transpose", scope + "/v", List.of(g.op("Reshape", scope + "/v",
        List.of(layers.linear(scope + "/v_proj", x, w.v()), g.ints(0, 0, kvHeads, d)))), attrs("perm", 0, 2, 1, 3));
    if (ctx.cos().isPresent()) {
      q = rope(scope + "/rotary_q", q, d, ctx);
      k = rope(scope + "/rotary_k", k, d, ctx);
    }
    if (cache.isPresent()) {
      String[] names = cache.get(); // past key, past value, present key, present value
      k = g.opNamed("Concat", scope + "/present_key", List.of(names[0], k), names[2], attr("axis", 2));
      v = g.opNamed("Concat", scope + "/present_value", List.of(names[1], v), names[3], attr("axis", 2));
    }
    int group = heads / kvHeads;
    String q5 = g.op("Reshape", scope, List.of(q, g.ints(0, kvHeads, group, -1, d)));
    String k5 = g.op("Unsqueeze", scope + "/k", List.of(k, g.ints(2)));
    String kT = g.op("Transpose", scope + "/k", List.of(k5), attrs("perm", 0, 1, 2, 4, 3));
    String scores = g.op("MatMul", scope + "/qk", List.of(q5, kT));
    scores = g.op("Mul", scope + "/qk", List.of(scores, g.scalarFloat((float) a.softmaxScale())));
    if (config.scaling().attentionSoftcap().isPresent()) {
      String cap = g.scalarFloat((float) config.scaling().attentionSoftcap().getAsDouble());
      scores = g.op("Mul", scope + "/softcap", List.of(g.op("Tanh", scope + "/softcap",
          List.of(g.op("Div", scope + "/softcap", List.of(scores, cap)))), cap));
    }
    int window = a.slidingWindow().orElse(0);
    scores = g.op("Add", scope + "/mask", List.of(scores, ctx.maskBias().apply(window)));
    String probs = g.op("Softmax", scope, List.of(scores), attr("axis", -1));
    String v5 = g.op("Unsqueeze", scope + "/v", List.of(v, g.ints(2)));
    String out = g.op("MatMul", scope + "/pv", List.of(probs, v5));
    out = g.op("Reshape", scope + "/merge", List.of(out, g.ints(0, heads, -1, d)));
    out = g.op("Transpose", scope + "/merge", List.of(out), attrs("perm", 0, 2, 1, 3));
    out = g.op("Reshape", scope + "/merge", List.of(out, g.ints(0, 0, (long) heads * d)));
    return layers.linear(scope + "/o_proj", out, w.o());
  }

  /** {@code [b, s, n·d]} → optional norm → {@code [b, n, s, d]}. */
  private String heads(String scope, String proj, int n, int d, Optional<org.ffnfuse.converters.export.model
      .NormWeights> norm, String normScope) {
    if (norm.isPresent() && config.qkNorm() == QkNorm.FULL) {
      proj = layers.norm(normScope, proj, norm.get(), config.norm());
    }
    String r = g.op("Reshape", scope, List.of(proj, g.ints(0, 0, n, d)));
    if (norm.isPresent() && config.qkNorm() == QkNorm.PER_HEAD) {
      r = layers.norm(normScope, r, norm.get(), config.norm());
    }
    return g.op("Transpose", scope, List.of(r), attrs("perm", 0, 2, 1, 3));
  }

  /** HF rotate-half RoPE on the first {@code rotaryDim} channels of {@code x [b, n, s, d]}. */
  private String rope(String scope, String x, int d, Context ctx) {
    int rot = config.rope().orElseThrow().rotaryDim();
    int half = rot / 2;
    String axis = g.ints(3);
    String xr = rot == d ? x : g.op("Slice", scope, List.of(x, g.ints(0), g.ints(rot), axis));
    String x1 = g.op("Slice", scope, List.of(xr, g.ints(0), g.ints(half), axis));
    String x2 = g.op("Slice", scope, List.of(xr, g.ints(half), g.ints(rot), axis));
    String rotated = g.op("Concat", scope, List.of(g.op("Neg", scope, List.of(x2)), x1), attr("axis", -1));
    String y = g.op("Add", scope, List.of(g.op("Mul", scope, List.of(xr, ctx.cos().get())),
        g.op("Mul", scope, List.of(rotated, ctx.sin().get()))));
    if (rot == d) {
      return y;
    }
    String pass = g.op("Slice", scope, List.of(x, g.ints(rot), g.ints(d), axis));
    return g.op("Concat", scope, List.of(y, pass), attr("axis", -1));
  }
}

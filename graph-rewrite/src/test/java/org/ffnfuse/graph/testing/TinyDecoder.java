package org.ffnfuse.graph.testing;

/**
 * Pieces of a tiny pre-norm decoder built in code: hidden 8, FFN 16, vocab 32,
 * SimplifiedLayerNormalization norms, decomposed attention (q/k/v MatMuls, Softmax, output MatMul)
 * and SwiGLU FFNs on MatMul weights stored [in, out].
 */
public final class TinyDecoder {
  public static final long HIDDEN = 8;
  public static final long WIDTH = 16;
  public static final long VOCAB = 32;

  private TinyDecoder() {}

  /** Token ids, the embedding table {@code emb} gathered into {@code h}. */
  public static TinyGraph embedded() {
    return new TinyGraph().input("ids").weight("emb", VOCAB, HIDDEN).node("Gather", "emb ids -> h");
  }

  /** {@code SimplifiedLayerNormalization(x)} into {@code out}, weight {@code out_w}. */
  public static TinyGraph norm(TinyGraph t, String x, String out) {
    return t.weight(out + "_w", HIDDEN)
        .node("SimplifiedLayerNormalization", x + " " + out + "_w -> " + out);
  }

  /**
   * Decomposed attention reading {@code in} (a norm output) into {@code out}; weights {@code
   * p}wq..wo.
   */
  public static TinyGraph attention(TinyGraph t, String in, String p, String out) {
    return t.weight(p + "wq", HIDDEN, HIDDEN)
        .weight(p + "wk", HIDDEN, HIDDEN)
        .weight(p + "wv", HIDDEN, HIDDEN)
        .weight(p + "wo", HIDDEN, HIDDEN)
        .node("MatMul", in + " " + p + "wq -> " + p + "q")
        .node("MatMul", in + " " + p + "wk -> " + p + "k")
        .node("MatMul", in + " " + p + "wv -> " + p + "v")
        .node("MatMul", p + "q " + p + "k -> " + p + "sc")
        .node("Softmax", p + "sc -> " + p + "pr")
        .node("MatMul", p + "pr " + p + "v -> " + p + "ctx")
        .node("MatMul", p + "ctx " + p + "wo -> " + out);
  }

  /**
   * SwiGLU FFN reading {@code in} into {@code out}: down(silu(in·gate) * (in·up)), weights {@code
   * p}gate/up/down.
   */
  public static TinyGraph ffn(TinyGraph t, String in, String p, String out) {
    return ffn(t, in, p, out, HIDDEN);
  }

  public static TinyGraph ffn(TinyGraph t, String in, String p, String out, long hidden) {
    return t.weight(p + "gate", hidden, WIDTH)
        .weight(p + "up", hidden, WIDTH)
        .weight(p + "down", WIDTH, hidden)
        .node("MatMul", in + " " + p + "gate -> " + p + "g")
        .node("Sigmoid", p + "g -> " + p + "sg")
        .node("Mul", p + "g " + p + "sg -> " + p + "act")
        .node("MatMul", in + " " + p + "up -> " + p + "u")
        .node("Mul", p + "act " + p + "u -> " + p + "m")
        .node("MatMul", p + "m " + p + "down -> " + out);
  }

  /** A pre-norm block on stream {@code x}: attention then FFN, the new stream in {@code p}y. */
  public static TinyGraph block(TinyGraph t, String x, String p) {
    norm(t, x, p + "n1");
    attention(t, p + "n1", p, p + "ao");
    t.node("Add", x + " " + p + "ao -> " + p + "x1");
    return ffnBlock(t, p + "x1", p);
  }

  /** An FFN-only block on stream {@code x}: the new stream in {@code p}y. */
  public static TinyGraph ffnBlock(TinyGraph t, String x, String p) {
    norm(t, x, p + "n2");
    ffn(t, p + "n2", p, p + "fo");
    return t.node("Add", x + " " + p + "fo -> " + p + "y");
  }

  /**
   * Final norm of {@code x} and an untied LM head [hidden, vocab] to the graph output {@code
   * logits}.
   */
  public static TinyGraph head(TinyGraph t, String x) {
    norm(t, x, "fn");
    return t.weight("head", HIDDEN, VOCAB).node("MatMul", "fn head -> logits").output("logits");
  }
}

package org.ffnfuse.graph.structure;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.Ffns;
import org.ffnfuse.graph.pattern.LayerNormPattern;
import org.ffnfuse.graph.pattern.Match;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.pattern.NormOpPattern;
import org.ffnfuse.graph.pattern.RmsNormPattern;
import org.ffnfuse.graph.pattern.SkipNormOpPattern;

/**
 * Walks the residual stream. At each stream value it finds the one residual combiner reading it (an {@code Add} whose
 * other operand depends on the stream, or a Skip*Normalization), identifies the branch by the norm it reads and what it
 * computes (FFN pattern, or attention: a Softmax or fused attention op between norm and add), and moves on to the sum.
 * Anything unexpected stops the walk with a {@link Diagnosis}.
 */
final class StructureRecognizer {
  private static final Set<String> ATTENTION_OPS = Set.of("Attention", "MultiHeadAttention", "GroupQueryAttention",
      "PackedAttention", "PackedMultiHeadAttention", "DecoderMaskedMultiHeadAttention", "SparseAttention",
      "DecoderAttention");
  private static final Set<String> PASS_THROUGH = Set.of("Reshape", "Cast", "Identity", "Squeeze", "Unsqueeze",
      "Flatten");

  private final Graph g;
  private final Map<String, List<NormMatch>> normsByInput = new HashMap<>();
  private final Map<Node, NormMatch> skipNorms = new IdentityHashMap<>();

  private enum Type { ATTENTION, FFN }

  private record Branch(Type type, NormMatch norm, Optional<FfnMatch> ffn, Optional<AttentionBranch> attention,
      boolean parallelWithPrevious, Residual residual) {}

  StructureRecognizer(Graph g) {
    this.g = g;
    for (NormMatch m : new RmsNormPattern().findAll(g)) {
      index(m);
    }
    for (NormMatch m : new LayerNormPattern().findAll(g)) {
      index(m);
    }
    for (NormMatch m : new NormOpPattern().findAll(g)) {
      index(m);
    }
    SkipNormOpPattern skip = new SkipNormOpPattern();
    for (Node n : g.nodes()) {
      if (skip.isAnchor(n)) {
        skip.match(g, n).found().ifPresent(m -> skipNorms.put(n, m));
      }
    }
  }

  private void index(NormMatch m) {
    normsByInput.computeIfAbsent(m.input(), k -> new ArrayList<>()).add(m);
  }

  TransformerStructure recognize() throws UnrecognizedGraphException {
    Embedding emb = embedding();
    String s = emb.output();
    Set<String> prev = Set.of();
    Optional<NormMatch> fused = Optional.empty();
    List<Branch> branches = new ArrayList<>();
    for (int step = 0; step < 100_000; step++) {
      Set<String> aliases = aliases(s);
      List<Node> combiners = new ArrayList<>();
      List<String> others = new ArrayList<>();
      Set<String> stop = new HashSet<>(aliases);
      stop.addAll(prev);
      fused.ifPresent(f -> stop.add(f.output()));
      for (String v : aliases) {
        for (Node c : g.consumers(v)) {
          if (combiners.contains(c)) {
            continue;
          }
          boolean skipOp = skipNorms.containsKey(c) && (c.input(0).equals(v) || c.input(1).equals(v));
          if (!(c.is("Add") || skipOp)) {
            continue;
          }
          String other = c.input(0).equals(v) ? c.input(1) : c.input(0);
          if (aliases.contains(other) || !(isZero(other) || readsStream(other, aliases, stop, fused))) {
            continue;
          }
          combiners.add(c);
          others.add(other);
        }
      }
      if (combiners.isEmpty()) {
        break;
      }
      if (combiners.size() > 1) {
        throw fail(s, "the residual stream value feeds several residual adds " + combiners + "; expected one");
      }
      Node add = combiners.get(0);
      String other = others.get(0);
      if (isZero(other)) {
        s = add.output(0); // a removed attention exported as x + zeros_like(x)
        continue;
      }
      List<Branch> found = classify(add, other, aliases, prev, fused);
      branches.addAll(found);
      prev = aliases;
      if (skipNorms.containsKey(add)) {
        fused = Optional.of(skipNorms.get(add));
        if (fused.get().sum().isEmpty()) {
          return finish(emb, branches, fused.get());
        }
        s = fused.get().sum().get();
      } else {
        fused = Optional.empty();
        s = add.output(0);
      }
    }
    Set<String> aliases = aliases(s);
    List<NormMatch> finals = new ArrayList<>();
    fused.ifPresent(finals::add);
    aliases.forEach(a -> finals.addAll(normsByInput.getOrDefault(a, List.of())));
    if (finals.size() != 1) {
      throw fail(s, finals.isEmpty() ? "the residual stream ends without a recognized final norm (consumers: "
          + g.consumers(s) + ")" : "the residual stream ends in " + finals.size() + " norms; expected one");
    }
    return finish(emb, branches, finals.get(0));
  }

  private TransformerStructure finish(Embedding emb, List<Branch> branches, NormMatch finalNorm)
      throws UnrecognizedGraphException {
    LmHead head = new LmHeads(g).find(finalNorm.output(), emb)
        .orElseThrow(() -> fail(finalNorm.output(), "the final norm does not feed a projection to a graph output"));
    List<Block> blocks = new ArrayList<>();
    Optional<AttentionBranch> attn = Optional.empty();
    boolean hasAttn = false;
    for (int i = 0; i < branches.size(); i++) {
      Branch b = branches.get(i);
      boolean parallelNext = i + 1 < branches.size() && branches.get(i + 1).parallelWithPrevious();
      if (b.type() == Type.ATTENTION) {
        if (hasAttn) {
          blocks.add(new Block(blocks.size(), attn, Optional.empty(), false));
        }
        attn = b.attention();
        hasAttn = true;
        if (parallelNext && branches.get(i + 1).type() == Type.FFN) {
          Branch f = branches.get(++i);
          blocks.add(new Block(blocks.size(), attn, Optional.of(new FfnBranch(f.ffn().get(), f.norm(), f.residual())), true));
          attn = Optional.empty();
          hasAttn = false;
        }
        continue;
      }
      if (b.parallelWithPrevious() || (parallelNext && branches.get(i + 1).type() == Type.ATTENTION)) {
        throw fail(b.norm().output(), "an FFN in parallel with something other than the attention before it");
      }
      blocks.add(new Block(blocks.size(), attn, Optional.of(new FfnBranch(b.ffn().get(), b.norm(), b.residual())), false));
      attn = Optional.empty();
      hasAttn = false;
    }
    if (hasAttn) {
      blocks.add(new Block(blocks.size(), attn, Optional.empty(), false));
    }
    for (Block b : blocks) {
      if (b.ffn().isPresent() && b.ffn().get().ffn().hidden() != emb.hidden()) {
        throw fail(b.ffn().get().ffn().output(), "FFN of block " + b.index() + " has hidden size "
            + b.ffn().get().ffn().hidden() + " but the embedding has " + emb.hidden());
      }
    }
    return new TransformerStructure(emb, blocks, finalNorm, head, Chain.of(blocks));
  }

  /** The branch(es) whose sum {@code other} is added to the stream by {@code add}. */
  private List<Branch> classify(Node add, String other, Set<String> aliases, Set<String> prev,
      Optional<NormMatch> fused) throws UnrecognizedGraphException {
    Set<String> stop = new HashSet<>(aliases);
    stop.addAll(prev);
    // A skip norm's output 0 is computed from the previous stream too: the walk up must not cross it.
    fused.ifPresent(f -> stop.add(f.output()));
    List<NormMatch> current = feedingNorms(other, aliases, stop, fused);
    List<NormMatch> previous = feedingNorms(other, prev, stop, Optional.empty());
    String streamIn = add.input(0).equals(other) ? add.input(1) : add.input(0);
    Residual residual = new Residual(add, streamIn,
        skipNorms.containsKey(add) ? skipNorms.get(add).sum() : Optional.of(add.output(0)));
    Optional<Node> p = g.producer(other);
    boolean parallelPair = p.isPresent() && p.get().is("Add") && previous.isEmpty()
        && !feedingNorms(p.get().input(0), aliases, stop, fused).isEmpty()
        && !feedingNorms(p.get().input(1), aliases, stop, fused).isEmpty();
    if (parallelPair) {
      Branch a = single(p.get(), p.get().input(0), normFor(p.get().input(0), aliases, stop, fused), false, residual);
      Branch b = single(p.get(), p.get().input(1), normFor(p.get().input(1), aliases, stop, fused), false, residual);
      if (a.type() == b.type()) {
        throw fail(p.get(), "two parallel branches of the same kind (" + a.type() + ")");
      }
      Branch first = a.type() == Type.ATTENTION ? a : b;
      Branch second = a.type() == Type.ATTENTION ? b : a;
      return List.of(first, new Branch(second.type(), second.norm(), second.ffn(), second.attention(), true,
          residual));
    }
    if (current.size() + previous.size() > 1) {
      throw fail(add, "the branch added here reads " + (current.size() + previous.size()) + " norms of the stream");
    }
    if (current.size() == 1) {
      return List.of(single(add, other, current.get(0), false, residual));
    }
    if (previous.size() == 1) {
      return List.of(single(add, other, previous.get(0), true, residual));
    }
    throw fail(p.map(Node::toString).orElse(other), "the branch added to the residual stream at " + add
        + " does not read it through a recognized norm");
  }

  private NormMatch normFor(String value, Set<String> aliases, Set<String> stop, Optional<NormMatch> fused)
      throws UnrecognizedGraphException {
    List<NormMatch> n = feedingNorms(value, aliases, stop, fused);
    if (n.size() != 1) {
      throw fail(g.producer(value).map(Node::toString).orElse(value), "parallel branch reads " + n.size()
          + " recognized norms of the stream; expected one");
    }
    return n.get(0);
  }

  private Branch single(Node add, String other, NormMatch norm, boolean parallel, Residual residual)
      throws UnrecognizedGraphException {
    Match<FfnMatch> ffn = Ffns.producing(g, other);
    if (ffn.found().isPresent()) {
      FfnMatch f = ffn.found().get();
      if (!aliasesOfNormOutput(norm).contains(f.input())) {
        throw fail(add, "the FFN producing " + other + " reads " + f.input() + ", not its norm output "
            + norm.output());
      }
      return new Branch(Type.FFN, norm, Optional.of(f), Optional.empty(), parallel, residual);
    }
    List<Node> body = body(other, norm.output());
    Optional<Node> marker = body.stream().filter(n -> n.is("Softmax")
        || (ATTENTION_OPS.contains(n.opType()) && (n.domain().isEmpty() || n.domain().equals("com.microsoft"))))
        .findFirst();
    if (marker.isEmpty()) {
      throw fail(g.producer(other).map(Node::toString).orElse(other), "residual branch is neither an FFN (" + ffn
          + ") nor attention (no Softmax or attention op between its norm and the add)");
    }
    String kind = marker.get().is("Softmax") ? "decomposed" : marker.get().opType();
    return new Branch(Type.ATTENTION, norm, Optional.empty(),
        Optional.of(new AttentionBranch(kind, norm, other, body, residual)), parallel, residual);
  }

  /** Norms of the stream (inputs in {@code streamValues}) whose output {@code value} reads without crossing stop. */
  private List<NormMatch> feedingNorms(String value, Set<String> streamValues, Set<String> stop,
      Optional<NormMatch> fused) {
    Set<String> reached = reached(value, stop);
    List<NormMatch> out = new ArrayList<>();
    List<NormMatch> candidates = new ArrayList<>();
    fused.ifPresent(candidates::add);
    streamValues.forEach(v -> candidates.addAll(normsByInput.getOrDefault(v, List.of())));
    for (NormMatch n : candidates) {
      if (reached.contains(n.output()) && !out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * Whether {@code value} depends on the stream: on one of its aliases, or on the normalized output of the skip norm
   * that produced it (GenAI builder graphs read a block's branch from output 0 while output 3 carries the sum).
   */
  private boolean readsStream(String value, Set<String> aliases, Set<String> stop, Optional<NormMatch> fused) {
    Set<String> r = reached(value, stop);
    return r.stream().anyMatch(aliases::contains) || fused.map(f -> r.contains(f.output())).orElse(false);
  }

  /** Values {@code value} depends on, walking up through producers but not past values in {@code stop}. */
  private Set<String> reached(String value, Set<String> stop) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(value));
    while (!todo.isEmpty()) {
      String v = todo.pop();
      if (v.isEmpty() || !seen.add(v) || stop.contains(v)) { // "" is an omitted input, not a value
        continue;
      }
      g.producer(v).ifPresent(n -> {
        n.inputs().forEach(todo::push);
        n.implicitInputs().forEach(todo::push);
      });
    }
    return seen;
  }

  /** Nodes on paths from {@code from} to {@code to}. */
  private List<Node> body(String to, String from) {
    Set<String> up = reached(to, Set.of(from));
    List<Node> out = new ArrayList<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<String> todo = new ArrayDeque<>(List.of(from));
    while (!todo.isEmpty()) {
      for (Node c : g.consumers(todo.pop())) {
        if (c.outputs().stream().anyMatch(up::contains) && seen.add(c)) {
          out.add(c);
          todo.addAll(c.outputs());
        }
      }
    }
    return out;
  }

  /** {@code v} and the outputs of float Casts of it (exporters cast the stream to fp32 before each norm). */
  private Set<String> aliases(String v) {
    Set<String> out = new LinkedHashSet<>(List.of(v));
    Deque<String> todo = new ArrayDeque<>(List.of(v));
    while (!todo.isEmpty()) {
      for (Node c : g.consumers(todo.pop())) {
        long to = c.intAttribute("to", 0);
        if (c.is("Cast") && (to == 1 || to == 10 || to == 11 || to == 16) && out.add(c.output(0))) {
          todo.add(c.output(0));
        }
      }
    }
    return out;
  }

  private Set<String> aliasesOfNormOutput(NormMatch n) {
    return aliases(n.output());
  }

  /** Whether {@code v} is all zeros: a zero constant, ConstantOfShape(0) or Expand(0, shape). */
  private boolean isZero(String v) {
    Optional<float[]> c = g.constantFloats(v);
    if (c.isPresent()) {
      for (float f : c.get()) {
        if (f != 0) {
          return false;
        }
      }
      return true;
    }
    Optional<Node> p = g.producer(v);
    if (p.isEmpty()) {
      return false;
    }
    if (p.get().is("ConstantOfShape")) {
      return p.get().tensorAttribute("value").flatMap(org.ffnfuse.graph.ir.TensorProtos::decodeEmbedded)
          .map(t -> allZero(t)).orElse(true);
    }
    if (p.get().is("Expand") || p.get().is("Cast")) {
      return isZero(p.get().input(0));
    }
    return false;
  }

  private static boolean allZero(org.ffnfuse.formats.tensor.Tensor t) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) t.byteSize());
    try {
      t.read(0, b);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // heap tensors do not fail
    }
    for (byte x : b.array()) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private Embedding embedding() throws UnrecognizedGraphException {
    return new Embeddings(g).find().orElseThrow(() -> fail(g.inputs().isEmpty() ? "graph" : g.inputs().get(0),
        "no Gather of a [vocab, hidden] float initializer indexed by a graph input (token embedding)"));
  }

  private UnrecognizedGraphException fail(Node at, String problem) {
    return new UnrecognizedGraphException(new Diagnosis(at.toString(), problem));
  }

  private UnrecognizedGraphException fail(String value, String problem) {
    return new UnrecognizedGraphException(new Diagnosis(g.producer(value).map(Node::toString).orElse(value),
        problem));
  }

  static boolean passThrough(Node n) {
    return n.domain().isEmpty() && PASS_THROUGH.contains(n.opType());
  }
}

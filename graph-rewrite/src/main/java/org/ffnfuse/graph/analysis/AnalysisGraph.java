package org.ffnfuse.graph.analysis;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.ir.Rewriter;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.TransformerStructure;

/**
 * A recognized transformer graph instrumented for dependency analysis: one more float input
 * {@value #GATES_INPUT} of shape {@code [2·n]} scales every residual branch, and every branch output is also a graph
 * output.
 *
 * <pre>
 *   before:  stream ─┬──────────────────────────── Add ─ stream'
 *                    └─ norm ─ branch ─ P ─ o ─────┘
 *
 *   after:   stream ─┬───────────────────────────────────────────────── Add ─ stream'
 *                    └─ norm ─ branch ─ P ─ o_ungated ─ Mul ─ o ────────┘
 *                       gates ─ Gather(k) ─────────────────┘    └─ Identity ─ ffnfuse_branch.{i}.{attn|ffn}
 * </pre>
 *
 * <p>The producer {@code P} of each branch output {@code o} is rewritten to produce {@code o_ungated}, and {@code o}
 * becomes {@code o_ungated · gates[k]}, so every reader of {@code o} (the residual add, and anything else) sees the
 * gated value. Gate entry {@code 2i} scales block {@code i}'s attention, {@code 2i + 1} its FFN (an absent branch
 * ignores its entry). With all gates 1 the graph computes exactly what the original does (a multiplication by 1.0f is
 * exact in IEEE arithmetic): bit-identical logits on ONNX Runtime without graph optimizations, and on every fixture
 * but one also with them (GPT-2 dynamo: 3e-7, where the inserted Mul changes what ORT fuses). A gate of 0 removes
 * the branch's contribution, as {@link BranchRemoval} does for good.
 *
 * <p>Block {@code i}'s contribution to the residual stream (its output minus its input) is the sum of its branch
 * outputs, for sequential and parallel residuals alike. The residual stream's ends are exposed too:
 * {@value #EMBEDDING_OUTPUT} (the value that starts the stream, after any embedding scale or position embedding) and
 * {@value #FINAL_STREAM_OUTPUT} (the input of the final norm), so the stream entering any branch is the embedding plus
 * the earlier branch outputs, and the last one checks that sum.
 */
public final class AnalysisGraph {
  /** The gate input, float {@code [2·blocks]}. */
  public static final String GATES_INPUT = "ffnfuse_branch_gates";
  /** The residual stream as it starts (embedding output), {@code [B, T, H]}. */
  public static final String EMBEDDING_OUTPUT = "ffnfuse_stream.embedding";
  /** The residual stream entering the final norm, {@code [B, T, H]}. */
  public static final String FINAL_STREAM_OUTPUT = "ffnfuse_stream.final";

  private final Graph graph;
  private final int blocks;
  private final List<BranchOutput> branches;
  private final Set<Integer> parallel;
  private final String logits;

  private AnalysisGraph(Graph graph, int blocks, List<BranchOutput> branches, Set<Integer> parallel, String logits) {
    this.graph = graph;
    this.blocks = blocks;
    this.branches = List.copyOf(branches);
    this.parallel = Collections.unmodifiableSet(new TreeSet<>(parallel));
    this.logits = logits;
  }

  /**
   * Instruments {@code g}, whose structure is {@code s}; {@code g} is unchanged.
   *
   * @throws IllegalArgumentException if a branch output is not a float value produced by a node, the graph already
   *     has an input named {@value #GATES_INPUT}, or it holds initializers added by a rewrite and not yet written
   */
  public static AnalysisGraph build(Graph g, TransformerStructure s) {
    checkNotNull(g);
    checkNotNull(s);
    checkArgument(!g.hasValue(GATES_INPUT), "the graph already has a value named %s", GATES_INPUT);
    int n = s.blocks().size();
    Graph withInput = GraphInterfaces.rebuild(g, p -> p.addInput(
        GraphInterfaces.floatValue(GATES_INPUT, List.of((long) (2 * n)))));

    Rewriter r = withInput.rewriter();
    List<BranchOutput> branches = new ArrayList<>();
    Set<Integer> parallel = new TreeSet<>();
    Set<Node> producers = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Block b : s.blocks()) {
      if (b.parallelResidual()) {
        parallel.add(b.index());
      }
      if (b.attention().isPresent()) {
        branches.add(gate(withInput, r, producers, b.index(), BranchKind.ATTENTION, b.attention().get().output()));
      }
      if (b.ffn().isPresent()) {
        branches.add(gate(withInput, r, producers, b.index(), BranchKind.FFN, b.ffn().get().ffn().output()));
      }
    }
    expose(r, s.embedding().output(), EMBEDDING_OUTPUT);
    expose(r, s.finalNorm().input(), FINAL_STREAM_OUTPUT);
    Graph gated = r.apply();

    Graph out = GraphInterfaces.rebuild(gated, p -> {
      for (BranchOutput b : branches) {
        p.addOutput(GraphInterfaces.floatValue(b.output(), List.of("batch", "sequence", s.hidden())));
      }
      p.addOutput(GraphInterfaces.floatValue(EMBEDDING_OUTPUT, List.of("batch", "sequence", s.hidden())));
      p.addOutput(GraphInterfaces.floatValue(FINAL_STREAM_OUTPUT, List.of("batch", "sequence", s.hidden())));
    });
    return new AnalysisGraph(out, n, branches, parallel, s.lmHead().output());
  }

  private static BranchOutput gate(Graph g, Rewriter r, Set<Node> producers, int block, BranchKind kind,
      String value) {
    Node p = g.producer(value).orElseThrow(() -> new IllegalArgumentException("branch output " + value + " of block "
        + block + " is not produced by a node"));
    checkArgument(producers.add(p), "%s produces two branch outputs", p);
    GraphInterfaces.declaredElemType(g, value).ifPresent(t -> checkArgument(t == GraphInterfaces.FLOAT,
        "branch output %s of block %s has ONNX element type %s; the analysis graph needs float activations", value,
        block, t));
    String tag = "ffnfuse_gate." + block + "." + kind.suffix();
    String ungated = r.uniqueValueName(value + "_ungated");
    NodeProto.Builder renamed = p.proto().toBuilder();
    for (int i = 0; i < renamed.getOutputCount(); i++) {
      if (renamed.getOutput(i).equals(value)) {
        renamed.setOutput(i, ungated);
      }
    }
    int k = kind.gateIndex(block);
    String index = r.uniqueValueName(tag + ".index");
    String factor = r.uniqueValueName(tag + ".value");
    r.replace(List.of(p), List.of(renamed.build(),
        GraphInterfaces.longScalar(r.uniqueNodeName(tag + "/index"), index, k),
        GraphInterfaces.node("Gather", r.uniqueNodeName(tag + "/gather"), List.of(GATES_INPUT, index), factor),
        GraphInterfaces.node("Mul", r.uniqueNodeName(tag + "/mul"), List.of(ungated, factor), value)));
    String output = BranchOutput.outputName(block, kind);
    expose(r, value, output);
    return new BranchOutput(block, kind, k, value, output);
  }

  private static void expose(Rewriter r, String value, String output) {
    r.add(GraphInterfaces.node("Identity", r.uniqueNodeName(output + "/identity"), List.of(value), output));
  }

  /** The instrumented graph. */
  public Graph graph() {
    return graph;
  }

  /** Number of blocks {@code n}; the gate input has {@code 2n} entries. */
  public int blockCount() {
    return blocks;
  }

  /** Length of {@value #GATES_INPUT}: {@code 2n}. */
  public int gateCount() {
    return 2 * blocks;
  }

  /** Every gated branch, in block order (attention before FFN). */
  public List<BranchOutput> branches() {
    return branches;
  }

  /** Block {@code block}'s branch of kind {@code kind}, if the block has one. */
  public Optional<BranchOutput> branch(int block, BranchKind kind) {
    return branches.stream().filter(b -> b.block() == block && b.kind() == kind).findFirst();
  }

  /** Whether block {@code block}'s attention and FFN both read the block's input (GPT-NeoX style). */
  public boolean parallelResidual(int block) {
    return parallel.contains(block);
  }

  /** The logits output name. */
  public String logitsOutput() {
    return logits;
  }

  @Override
  public String toString() {
    return "AnalysisGraph[" + blocks + " blocks, " + branches.size() + " gated branches]";
  }
}

package org.ffnfuse.graph.analysis;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.ir.Rewriter;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.TransformerStructure;

/**
 * Removes residual branches from a recognized transformer graph for good: each removed branch's residual add becomes
 * the identity (its readers read the stream instead), the branch's nodes and weights become dead and are dropped,
 * and graph outputs computed inside a removed branch (a KV cache's {@code present.{i}.key|value}) and graph inputs read
 * only by removed branches ({@code past_key_values.{i}.key|value}) leave the interface.
 *
 * <pre>
 *   stream ─┬──────────────────────── Add ─ stream'      ⇒      stream ────── (readers of stream')
 *           └─ norm ─ attention ─ o ──┘
 * </pre>
 *
 * <p>In a parallel-residual block ({@code stream + (attn + ffn)}) removing one branch turns the inner add into the
 * other branch; removing both removes the block. The result computes what the analysis graph computes with the same
 * branches gated to 0 ({@link AnalysisGraph}), minus the dead work.
 */
public final class BranchRemoval {
  private BranchRemoval() {}

  /**
   * What a removal did.
   *
   * @param graph the rewritten graph
   * @param attentionRemoved blocks whose attention was removed (those that had one)
   * @param ffnRemoved blocks whose FFN was removed (those that had one)
   * @param droppedInputs graph inputs that only removed branches read
   * @param droppedOutputs graph outputs that removed branches computed
   * @param report one line, e.g. {@code AttentionRemoval: removed 7 attention branches, 210 nodes}
   */
  public record Result(Graph graph, Set<Integer> attentionRemoved, Set<Integer> ffnRemoved,
      List<String> droppedInputs, List<String> droppedOutputs, String report) {
    public Result {
      attentionRemoved = Collections.unmodifiableSet(new TreeSet<>(attentionRemoved));
      ffnRemoved = Collections.unmodifiableSet(new TreeSet<>(ffnRemoved));
      droppedInputs = List.copyOf(droppedInputs);
      droppedOutputs = List.copyOf(droppedOutputs);
    }
  }

  /**
   * Removes the attention of blocks {@code attention} and the FFN of blocks {@code ffn} from {@code g} (structure
   * {@code s}); blocks without such a branch are skipped. {@code g} is unchanged.
   *
   * @throws IllegalArgumentException if a block index is out of range, a branch output is read by something other
   *     than an Add, or a residual sum to rewire is a graph output
   */
  public static Result remove(Graph g, TransformerStructure s, Set<Integer> attention, Set<Integer> ffn) {
    checkNotNull(g);
    checkNotNull(s);
    int n = s.blocks().size();
    for (int i : union(attention, ffn)) {
      checkArgument(i >= 0 && i < n, "block %s does not exist (the model has blocks 0-%s)", i, n - 1);
    }
    Set<String> zero = new HashSet<>();
    Set<Node> body = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Integer> attnDone = new TreeSet<>();
    Set<Integer> ffnDone = new TreeSet<>();
    for (Block b : s.blocks()) {
      if (attention.contains(b.index()) && b.attention().isPresent()) {
        zero.add(b.attention().get().output());
        body.addAll(b.attention().get().nodes());
        attnDone.add(b.index());
      }
      if (ffn.contains(b.index()) && b.ffn().isPresent()) {
        zero.add(b.ffn().get().ffn().output());
        body.addAll(b.ffn().get().ffn().nodes());
        ffnDone.add(b.index());
      }
    }
    if (zero.isEmpty()) {
      return new Result(g, attnDone, ffnDone, List.of(), List.of(), "BranchRemoval: nothing to remove");
    }
    List<String> dropOutputs = g.outputs().stream()
        .filter(o -> g.producer(o).filter(body::contains).isPresent()).toList();
    List<String> inputCandidates = g.inputs().stream()
        .filter(in -> !g.consumers(in).isEmpty() && g.consumers(in).stream().allMatch(body::contains)).toList();
    Graph g1 = g;
    Rewriter r = g1.rewriter();
    dropOutputs.forEach(r::removeGraphOutput);
    Map<String, String> renames = new LinkedHashMap<>();
    Set<Node> handled = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<String> todo = new ArrayDeque<>(zero);
    while (!todo.isEmpty()) {
      String v = todo.pop();
      for (Node c : g1.consumers(v)) {
        checkArgument(c.is("Add") && c.inputs().size() == 2, "branch value %s is read by %s; only residual adds can"
            + " be rewired", v, c);
        if (!handled.add(c)) {
          continue;
        }
        String other = c.input(0).equals(v) ? c.input(1) : c.input(0);
        r.remove(c);
        if (zero.contains(other)) {
          zero.add(c.output(0)); // both summands removed: the sum is removed too
          todo.add(c.output(0));
        } else {
          checkArgument(!g1.isGraphOutput(c.output(0)), "the residual sum %s is a graph output and keeps its name",
              c.output(0));
          renames.put(c.output(0), other);
        }
      }
    }
    for (Map.Entry<String, String> e : renames.entrySet()) {
      String to = e.getValue();
      while (renames.containsKey(to)) {
        to = renames.get(to); // consecutive removed adds: rewire to the first surviving stream value
      }
      r.replaceUses(e.getKey(), to);
    }
    Graph g2 = r.removeDeadNodes().apply();
    List<String> dropInputs = inputCandidates.stream().filter(in -> g2.consumers(in).isEmpty()).toList();
    Graph g3 = g2;
    if (!dropInputs.isEmpty()) {
      Rewriter ri = g2.rewriter();
      dropInputs.forEach(ri::removeGraphInput);
      g3 = ri.apply();
    }
    String report = String.format("BranchRemoval: removed %d attention and %d FFN branches, %d nodes%s",
        attnDone.size(), ffnDone.size(), g.nodes().size() - g3.nodes().size(),
        dropInputs.isEmpty() && dropOutputs.isEmpty() ? ""
            : ", dropped inputs " + dropInputs + " and outputs " + dropOutputs);
    return new Result(g3, attnDone, ffnDone, dropInputs, dropOutputs, report);
  }

  private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
    Set<Integer> u = new TreeSet<>(a);
    u.addAll(b);
    return u;
  }
}

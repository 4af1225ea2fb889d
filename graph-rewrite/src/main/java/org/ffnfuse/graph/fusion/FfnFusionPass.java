package org.ffnfuse.graph.fusion;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.formats.tensor.Tensors;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InitializerInfo;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.ir.Rewriter;
import org.ffnfuse.graph.pass.Pass;
import org.ffnfuse.graph.pass.PassResult;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.structure.FfnBranch;
import org.ffnfuse.graph.structure.TransformerStructure;

/**
 * FFN Fusion on an ONNX graph: each chain {@code s..e} of a {@link FusionPlan} becomes one wide FFN.
 *
 * <pre>
 *   x_s ─┬─────────────── Add ─┬───────────── Add ─ … ─ x_e+1          x_s ─┬──────────────────── Add ─ x_e+1
 *        └─ norm_s ─ FFN_s ┘   └─ norm_s+1 ─ FFN_s+1 ┘          ⇒        └─ norm_s(γ=1) ─ FusedFFN ┘
 * </pre>
 *
 * Block {@code s}'s norm keeps its nodes but reads new unit-gain (zero-bias) initializers; every member's gain and
 * LayerNorm bias are folded into the fused weights ({@link FfnFuser}), added as new initializers in {@code [in, out]}
 * layout. The fused FFN is one node {@code ai.ffnfuse.FusedFFN} calling a model-local function made of standard
 * operators ({@link FusedFfnNodes}), or with {@link Options#inline()} those operators themselves. Everything between
 * {@code x_s} and {@code x_e+1} except block {@code s}'s norm is removed, with the nodes and initializers only it
 * used; nothing else changes, and the graph's inputs and outputs keep their names.
 */
public final class FfnFusionPass implements Pass {
  private final FusionPlan plan;
  private final Options options;

  /**
   * How the fused FFN is written.
   *
   * @param inline emit the fused FFN's operators into the graph instead of a {@code FusedFFN} function call
   * @param weightType float type the fused weight matrices are stored in (Cast inside if it differs from the
   *     activations'); empty: the type of the original weights
   */
  public record Options(boolean inline, Optional<DType> weightType) {
    public Options {
      checkNotNull(weightType);
      weightType.ifPresent(t -> checkArgument(t.convertsToFloat(), "weight type %s is not a float type", t));
    }

    /** A {@code FusedFFN} function, weights in the original type. */
    public static Options defaults() {
      return new Options(false, Optional.empty());
    }

    public Options withInline(boolean on) {
      return new Options(on, weightType);
    }

    public Options withWeightType(DType t) {
      return new Options(inline, Optional.of(t));
    }
  }

  private FfnFusionPass(FusionPlan plan, Options options) {
    this.plan = plan;
    this.options = options;
  }

  /** A pass fusing {@code plan}'s chains. */
  public static FfnFusionPass of(FusionPlan plan, Options options) {
    return new FfnFusionPass(checkNotNull(plan), checkNotNull(options));
  }

  @Override
  public String name() {
    return "FfnFusion";
  }

  /**
   * Recognizes {@code g}, checks the plan against it and fuses.
   *
   * @throws IllegalArgumentException if {@code g} is not recognized (message has the diagnosis), the plan does not
   *     apply ({@link FusionPlan#check}), a chain's members cannot form one FFN, or a value inside a chain is read
   *     outside it (naming the value and reader)
   * @throws UncheckedIOException if an initializer cannot be read
   */
  @Override
  public PassResult run(Graph g) {
    TransformerStructure s = FusionStructures.recognize(g, name());
    plan.check(FusionStructures.roles(s));
    Rewriter r = g.rewriter();
    Map<FusedFfnNodes, String> functions = new HashMap<>();
    int ffns = 0;
    for (ChainRange c : plan.chains()) {
      try {
        fuseChain(g, s, c, r, functions);
      } catch (IOException e) {
        throw new UncheckedIOException("chain " + c + ": " + e.getMessage(), e);
      }
      ffns += c.length();
    }
    Graph out = r.removeDeadNodes().apply();
    int n = plan.chains().size();
    return new PassResult(out, String.format("%s: fused %d chain%s, %d FFNs → %d (%s; %d nodes → %d)", name(), n,
        n == 1 ? "" : "s", ffns, n, options.inline() ? "inline operators" : "function " + FusedFfnNodes.DOMAIN + "."
            + String.join("/", new LinkedHashSet<>(functions.values())), g.nodes().size(), out.nodes().size()));
  }

  private void fuseChain(Graph g, TransformerStructure s, ChainRange c, Rewriter r,
      Map<FusedFfnNodes, String> functions) throws IOException {
    List<FfnBranch> members = FusionStructures.members(s, c);
    FfnBranch first = members.get(0);
    FfnBranch last = members.get(members.size() - 1);
    NormMatch norm = first.norm();
    String stream = first.residual().stream();
    String out = last.residual().output().orElseThrow();
    String ffnInput = first.ffn().input();

    List<Node> region = ChainRegion.between(g, List.of(stream, norm.input()), out);
    List<Node> keep = new ArrayList<>(norm.nodes());
    if (!ffnInput.equals(norm.output())) {
      keep.addAll(ChainRegion.between(g, List.of(norm.output()), ffnInput));
    }
    List<Node> remove = ChainRegion.without(region, keep);
    Set<String> inner = new LinkedHashSet<>();
    for (FfnBranch m : members.subList(0, members.size() - 1)) {
      inner.add(m.residual().output().orElseThrow());
    }
    List<String> shapeOnly = new ArrayList<>();
    ChainRegion.escapes(g, remove, List.of(out)).forEach((v, readers) -> {
      boolean onlyShape = !readers.isEmpty() && readers.stream().allMatch(n -> n.is("Shape"));
      checkArgument(inner.contains(v) && onlyShape, "chain %s: %s, computed inside the chain, is %s; it would"
          + " disappear with the fusion", c, v, readers.isEmpty() ? "a graph output" : "also read by " + readers);
      shapeOnly.add(v); // same shape as the chain's input stream
    });
    List<Node> keptInRegion = ChainRegion.without(region, remove); // norm s's nodes that read the stream
    ChainRegion.escapes(g, keptInRegion, List.of()).forEach((v, readers) -> {
      List<Node> outside = ChainRegion.without(readers, region);
      checkArgument(outside.isEmpty() && !g.isGraphOutput(v), "chain %s: block %s's norm output %s is also read by"
          + " %s; giving that norm unit gain would change it", c, c.first(), v, outside);
    });

    List<FfnBlock> blocks = new ArrayList<>();
    for (FfnBranch m : members) {
      blocks.add(GraphFfnMembers.of(g, m));
    }
    FusedFfn fused = FfnFuser.fuse(blocks, DType.F32);
    FfnWeights fw = fused.block().ffn();
    DType compute = g.initializer(first.ffn().down().weight()).flatMap(InitializerInfo::dtype).orElseThrow();
    DType stored = options.weightType().orElse(compute);
    FusedFfnNodes spec = new FusedFfnNodes(fw.activation(), fw.isGated(), compute, stored);

    String prefix = "fused_ffn." + c.first() + "_" + c.last() + ".";
    List<String> weights = new ArrayList<>();
    List<Optional<String>> biases = new ArrayList<>();
    List<Optional<Tensor>> biasData = fw.isGated() ? List.of(fw.gateBias(), fw.upBias(), fw.downBias())
        : List.of(fw.upBias(), fw.downBias());
    List<Tensor> weightData = new ArrayList<>();
    fw.gate().ifPresent(weightData::add);
    weightData.add(fw.up());
    weightData.add(fw.down());
    List<String> parts = spec.parameterNames();
    for (int i = 0; i < weightData.size(); i++) {
      weights.add(r.addInitializer(prefix + parts.get(2 * i), Tensors.converted(weightData.get(i), stored)));
      Tensor w = weightData.get(i);
      Optional<Tensor> b = biasData.get(i);
      if (b.isPresent() || !options.inline()) {
        float[] v = b.isPresent() ? b.get().toFloats() : new float[Math.toIntExact(w.shape().dim(1))];
        biases.add(Optional.of(r.addInitializer(prefix + parts.get(2 * i + 1),
            HeapTensor.ofFloats(compute, Shape.of(v.length), v))));
      } else {
        biases.add(Optional.empty());
      }
    }
    unitNorm(g, r, norm, fused.block().norm(), prefix, c);

    Node anchor = last.residual().add();
    r.removeAll(remove);
    String y = r.uniqueValueName(prefix + "output");
    String nodePrefix = "/fused_ffn." + c.first() + "-" + c.last() + "/";
    if (options.inline()) {
      for (NodeProto p : spec.nodes(ffnInput, weights, biases, y, h -> r.uniqueValueName(prefix + h),
          h -> r.uniqueNodeName(nodePrefix + h))) {
        r.addBefore(anchor, p);
      }
    } else {
      String op = functions.computeIfAbsent(spec, k -> function(r, k, g.opsetVersion("")));
      NodeProto.Builder call = NodeProto.newBuilder().setOpType(op).setDomain(FusedFfnNodes.DOMAIN)
          .setName(r.uniqueNodeName(nodePrefix + op)).addInput(ffnInput).addOutput(y);
      for (int i = 0; i < weights.size(); i++) {
        call.addInput(weights.get(i)).addInput(biases.get(i).orElseThrow());
      }
      r.addBefore(anchor, call.build());
    }
    r.addBefore(anchor, NodeProto.newBuilder().setOpType("Add").setName(r.uniqueNodeName(nodePrefix + "Add"))
        .addInput(stream).addInput(y).addOutput(out).build());
    shapeOnly.forEach(v -> r.replaceUses(v, stream));
  }

  /** Registers the function for {@code spec} under a free name ({@code FusedFFN}, else {@code FusedFFN_2}...). */
  private static String function(Rewriter r, FusedFfnNodes spec, long opset) {
    for (int i = 1; ; i++) {
      String name = i == 1 ? FusedFfnNodes.OP : FusedFfnNodes.OP + "_" + i;
      FunctionProto f = spec.function(name, opset);
      Optional<FunctionProto> existing = r.function(FusedFfnNodes.DOMAIN, name);
      if (existing.isEmpty() || existing.get().equals(f)) {
        r.addFunction(f).addOpsetImport(FusedFfnNodes.DOMAIN, 1).requireIrVersion(8);
        return name;
      }
    }
  }

  /**
   * Points {@code norm}'s gain (and bias) at new initializers holding {@code unit}'s (unit effective gain: ones, or
   * zeros under Gemma's explicit {@code 1+w}; zero bias). The nodes reading the parameters are rewritten (through
   * Identity nodes, which stay for any other reader); each must feed only this norm.
   */
  private static void unitNorm(Graph g, Rewriter r, NormMatch norm, NormParams unit, String prefix, ChainRange c) {
    Map<String, String> swap = new HashMap<>();
    norm.weight().ifPresent(w -> swap.put(w, r.addInitializer(prefix + "norm.weight", unit.gain())));
    norm.bias().ifPresent(b -> swap.put(b, r.addInitializer(prefix + "norm.bias", unit.bias().orElseThrow())));
    Set<Node> normNodes = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    normNodes.addAll(norm.nodes());
    Set<String> done = new LinkedHashSet<>();
    for (Node n : norm.nodes()) {
      if (n.is("Identity")) {
        continue;
      }
      NodeProto.Builder p = n.proto().toBuilder();
      boolean changed = false;
      for (int i = 0; i < p.getInputCount(); i++) {
        Optional<String> init = p.getInput(i).isEmpty() ? Optional.empty() : g.initializerBehind(p.getInput(i));
        if (init.isPresent() && swap.containsKey(init.get())) {
          p.setInput(i, swap.get(init.get()));
          done.add(init.get());
          changed = true;
        }
      }
      if (changed) {
        for (String out : n.outputs()) {
          List<Node> others = g.consumers(out).stream().filter(x -> !normNodes.contains(x)).toList();
          checkArgument(others.isEmpty() || n.outputs().contains(norm.output()), "chain %s: %s, which applies"
              + " block %s's norm parameters, also feeds %s; giving that norm unit gain would change them", c, n,
              c.first(), others);
        }
        r.replace(List.of(n), List.of(p.build()));
      }
    }
    checkArgument(done.equals(swap.keySet()), "norm %s: no node reads its parameters %s", norm.output(),
        swap.keySet());
  }
}

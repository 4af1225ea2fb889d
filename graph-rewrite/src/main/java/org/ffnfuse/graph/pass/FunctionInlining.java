package org.ffnfuse.graph.pass;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.ir.Rewriter;

/**
 * Replaces every call of a model-local function by the function's body, as ONNX Runtime does when it loads a model
 * (e.g. {@code ai.ffnfuse.FusedFFN} becomes its MatMul/Sigmoid/Mul operators), so patterns see plain operators.
 * Function inputs map to the call's inputs, outputs to its outputs; values and nodes inside get fresh names prefixed
 * with the call's name. Nested calls are inlined too. The functions stay in the model (unused).
 *
 * <pre>
 *   x ─ d.F(w) ─ y      with  F(a, b) = Relu(MatMul(a, b))     ⇒      x ─ MatMul(w) ─ Relu ─ y
 * </pre>
 */
public final class FunctionInlining implements Pass {
  private static final int MAX_DEPTH = 16;

  @Override
  public String name() {
    return "FunctionInlining";
  }

  /**
   * Inlines every call.
   *
   * @throws IllegalArgumentException if a called function takes attributes or holds subgraphs (not supported), or
   *     imports another version of an operator set than the model
   */
  @Override
  public PassResult run(Graph g) {
    Graph cur = g;
    int calls = 0;
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
      Map<String, FunctionProto> functions = new HashMap<>();
      cur.model().getFunctionsList().forEach(f -> functions.put(key(f.getDomain(), f.getName()), f));
      List<Node> sites = cur.nodes().stream().filter(n -> functions.containsKey(key(n.domain(), n.opType())))
          .toList();
      if (sites.isEmpty()) {
        break;
      }
      Rewriter r = cur.rewriter();
      for (Node call : sites) {
        inline(r, call, functions.get(key(call.domain(), call.opType())));
      }
      cur = r.apply();
      calls += sites.size();
    }
    Graph result = cur;
    checkArgument(result.nodes().stream().noneMatch(n -> result.model().getFunctionsList().stream()
        .anyMatch(f -> key(f.getDomain(), f.getName()).equals(key(n.domain(), n.opType())))),
        "model-local functions call each other more than %s levels deep (recursion?)", MAX_DEPTH);
    return new PassResult(result, calls == 0 ? name() + ": no function calls"
        : name() + ": inlined " + calls + " function call" + (calls == 1 ? "" : "s"));
  }

  private static void inline(Rewriter r, Node call, FunctionProto f) {
    checkArgument(f.getAttributeCount() == 0 && f.getAttributeProtoCount() == 0,
        "cannot inline %s: function %s.%s takes attributes", call, f.getDomain(), f.getName());
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < f.getInputCount(); i++) {
      names.put(f.getInput(i), call.input(i));
    }
    for (int i = 0; i < f.getOutputCount(); i++) {
      names.put(f.getOutput(i), call.output(i));
    }
    String prefix = (call.name().isEmpty() ? call.opType() : call.name()) + "/";
    for (OperatorSetIdProto o : f.getOpsetImportList()) {
      r.addOpsetImport(o.getDomain().equals("ai.onnx") ? "" : o.getDomain(), o.getVersion());
    }
    List<NodeProto> body = new java.util.ArrayList<>();
    for (NodeProto n : f.getNodeList()) {
      checkArgument(n.getAttributeList().stream().noneMatch(a -> a.hasG() || a.getGraphsCount() > 0
          || !a.getRefAttrName().isEmpty()), "cannot inline %s: node %s of %s.%s has a subgraph or attribute"
          + " reference", call, n.getName(), f.getDomain(), f.getName());
      NodeProto.Builder b = n.toBuilder().setName(r.uniqueNodeName(prefix + (n.getName().isEmpty() ? n.getOpType()
          : n.getName())));
      for (int i = 0; i < b.getInputCount(); i++) {
        String in = b.getInput(i);
        b.setInput(i, in.isEmpty() ? "" : Optional.ofNullable(names.get(in)).orElseThrow(() ->
            new IllegalArgumentException(f.getName() + ": node " + n.getName() + " reads " + in
                + ", which no input or earlier node of the function defines")));
      }
      for (int i = 0; i < b.getOutputCount(); i++) {
        String out = b.getOutput(i);
        if (!out.isEmpty()) {
          String mapped = names.computeIfAbsent(out, o -> r.uniqueValueName(prefix + o));
          b.setOutput(i, mapped);
        }
      }
      body.add(b.build());
    }
    r.replace(List.of(call), body);
  }

  private static String key(String domain, String name) {
    return (domain.equals("ai.onnx") ? "" : domain) + "." + name;
  }
}

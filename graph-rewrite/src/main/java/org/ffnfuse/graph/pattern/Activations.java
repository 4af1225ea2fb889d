package org.ffnfuse.graph.pattern;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;

/**
 * Identifies element-wise activation subgraphs by what they compute, not by how the exporter spelled them: the
 * element-wise nodes above a value are collected back to their single non-constant input, evaluated on sample points
 * in double precision, and compared with each {@link Activation}. This covers every decomposition order
 * ({@code Sigmoid+Mul}, tanh-approximate GELU with {@code Pow} or {@code Mul·Mul}, {@code x·0.5·(1+Erf(x/√2))}) and the
 * operator forms ({@code Gelu}, {@code com.microsoft} {@code Gelu}, {@code FastGelu}, {@code BiasGelu},
 * {@code QuickGelu}).
 */
public final class Activations {
  private static final int MAX_NODES = 40;
  private static final double[] SAMPLES = samples();
  private static final Set<String> UNARY = Set.of("Sigmoid", "Tanh", "Erf", "Exp", "Neg", "Sqrt", "Reciprocal",
      "Relu", "Abs", "Softplus", "Identity", "Cast", "Gelu");
  private static final Set<String> BINARY = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min");
  private static final Set<String> MS_OPS = Set.of("Gelu", "FastGelu", "BiasGelu", "QuickGelu");

  private Activations() {}

  /** The activation producing {@code value}; {@link Activation#IDENTITY} when no element-wise node produces it. */
  public static Match<ActivationMatch> at(Graph g, String value) {
    List<Node> nodes = new ArrayList<>();
    Set<String> roots = new LinkedHashSet<>();
    Map<Node, String> biases = new HashMap<>();
    String problem = collect(g, value, nodes, roots, biases);
    if (problem != null) {
      return Match.miss(g.producer(value).map(Node::toString).orElse(value), problem);
    }
    if (nodes.isEmpty()) {
      return Match.found(new ActivationMatch(Activation.IDENTITY, value, value, Optional.empty(), List.of()));
    }
    if (roots.size() != 1) {
      return Match.miss(g.producer(value).orElseThrow(), "element-wise subgraph reads " + roots.size()
          + " non-constant values " + roots + ", expected one");
    }
    if (biases.size() > 1) {
      return Match.miss(g.producer(value).orElseThrow(), "more than one activation op with a bias input");
    }
    String root = roots.iterator().next();
    double[] y = evaluate(g, value, root, new HashMap<>());
    for (Activation a : Activation.values()) {
      if (fits(a, y)) {
        return Match.found(new ActivationMatch(a, root, value, biases.values().stream().findFirst(),
            List.copyOf(nodes)));
      }
    }
    return Match.miss(g.producer(value).orElseThrow(), String.format(
        "element-wise function of %s is no known activation (f(-1)=%.5f, f(1)=%.5f, f(2)=%.5f)", root,
        y[index(-1)], y[index(1)], y[index(2)]));
  }

  private static String collect(Graph g, String value, List<Node> nodes, Set<String> roots, Map<Node, String> biases) {
    Optional<Node> p = g.producer(value);
    if (p.isEmpty() || !elementwise(p.get())) {
      roots.add(value);
      return null;
    }
    Node n = p.get();
    if (nodes.contains(n)) {
      return null;
    }
    if (BINARY.contains(n.opType()) && n.inputs().stream().anyMatch(in -> !in.isEmpty() && !isScalar(g, in)
        && g.initializerBehind(in).isPresent())) {
      roots.add(value); // a per-channel weight or bias (x·W + b's Add): the projection's, not the activation's
      return null;
    }
    if (nodes.size() >= MAX_NODES) {
      return "element-wise subgraph larger than " + MAX_NODES + " nodes";
    }
    nodes.add(n);
    boolean biasOp = n.is("com.microsoft", "FastGelu") || n.is("com.microsoft", "BiasGelu");
    for (int i = 0; i < n.inputs().size(); i++) {
      String in = n.input(i);
      if (in.isEmpty() || isScalar(g, in)) {
        continue;
      }
      if (biasOp && i == 1) {
        Optional<String> b = g.initializerBehind(in);
        if (b.isEmpty()) {
          return n + " has a bias input that is not an initializer";
        }
        biases.put(n, b.get());
        continue;
      }
      String problem = collect(g, in, nodes, roots, biases);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static boolean elementwise(Node n) {
    if (n.domain().equals("com.microsoft")) {
      return MS_OPS.contains(n.opType());
    }
    if (!n.domain().isEmpty()) {
      return false;
    }
    if (n.is("Cast")) {
      long to = n.intAttribute("to", 0);
      return to == 1 || to == 10 || to == 11 || to == 16;
    }
    return UNARY.contains(n.opType()) || BINARY.contains(n.opType());
  }

  private static boolean isScalar(Graph g, String v) {
    return g.constantFloats(v).map(f -> f.length == 1).orElse(false);
  }

  private static double[] evaluate(Graph g, String value, String root, Map<String, double[]> memo) {
    if (value.equals(root)) {
      return SAMPLES;
    }
    double[] known = memo.get(value);
    if (known != null) {
      return known;
    }
    Optional<float[]> c = g.constantFloats(value);
    if (c.isPresent() && c.get().length == 1) {
      double[] k = new double[SAMPLES.length];
      java.util.Arrays.fill(k, c.get()[0]);
      return k;
    }
    Node n = g.producer(value).orElseThrow();
    double[] a = evaluate(g, n.input(0), root, memo);
    boolean binary = BINARY.contains(n.opType()) && n.domain().isEmpty();
    double[] b = binary ? evaluate(g, n.input(1), root, memo) : null;
    double[] out = new double[SAMPLES.length];
    for (int i = 0; i < out.length; i++) {
      double x = a[i];
      out[i] = binary ? binary(n.opType(), x, b[i]) : unary(n, x);
    }
    memo.put(value, out);
    return out;
  }

  private static double binary(String op, double x, double y) {
    return switch (op) {
      case "Add" -> x + y;
      case "Sub" -> x - y;
      case "Mul" -> x * y;
      case "Div" -> x / y;
      case "Pow" -> Math.pow(x, y);
      case "Max" -> Math.max(x, y);
      default -> Math.min(x, y);
    };
  }

  private static double unary(Node n, double x) {
    if (n.domain().equals("com.microsoft")) {
      return switch (n.opType()) {
        case "FastGelu" -> Activation.GELU_TANH.apply(x);
        case "QuickGelu" -> x / (1 + Math.exp(-n.floatAttribute("alpha", 1.702f) * x));
        default -> Activation.GELU.apply(x); // Gelu, BiasGelu (bias handled by the caller)
      };
    }
    return switch (n.opType()) {
      case "Sigmoid" -> 1 / (1 + Math.exp(-x));
      case "Tanh" -> Math.tanh(x);
      case "Erf" -> erf(x);
      case "Exp" -> Math.exp(x);
      case "Neg" -> -x;
      case "Sqrt" -> Math.sqrt(x);
      case "Reciprocal" -> 1 / x;
      case "Relu" -> Math.max(0, x);
      case "Abs" -> Math.abs(x);
      case "Softplus" -> Math.log1p(Math.exp(x));
      case "Gelu" -> n.stringAttribute("approximate").orElse("none").equals("tanh")
          ? Activation.GELU_TANH.apply(x) : Activation.GELU.apply(x);
      default -> x; // Identity, Cast to a float type
    };
  }

  private static boolean fits(Activation a, double[] y) {
    for (int i = 0; i < SAMPLES.length; i++) {
      double ref = a.apply(SAMPLES[i]);
      if (!(Math.abs(y[i] - ref) <= 2e-5 * (1 + Math.abs(ref)))) {
        return false;
      }
    }
    return true;
  }

  private static double[] samples() {
    double[] s = new double[49];
    for (int i = 0; i < s.length; i++) {
      s[i] = -6 + i * 0.25;
    }
    return s;
  }

  private static int index(double x) {
    return (int) Math.round((x + 6) / 0.25);
  }

  /**
   * The error function to near double precision: Maclaurin series below |x| = 2.5, continued fraction for erfc above
   * (Abramowitz–Stegun 7.1.26 is too coarse for the fusion's exactness tests).
   */
  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) {
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      double f = 0;
      for (int n = 60; n >= 1; n--) {
        f = n / 2.0 / (ax + f);
      }
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
    }
    return x < 0 ? -r : r;
  }
}

package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.ffnfuse.graph.testing.TinyGraph.ints;
import static org.ffnfuse.graph.testing.TinyGraph.real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/** Linears.at on every spelling of a linear layer (weight [8, 12] or its transpose), and near misses. */
class LinearsTest {
  static Match<LinearMatch> at(TinyGraph t) {
    return Linears.at(t.output("y").build(), "y");
  }

  static LinearMatch found(TinyGraph t) {
    Match<LinearMatch> m = at(t);
    return m.found().orElseThrow(() -> new AssertionError(m.toString()));
  }

  static TinyGraph x() {
    return new TinyGraph().input("x").weight("w", 8, 12).weight("wt", 12, 8).weight("b", 12).weight("b8", 8);
  }

  @Test
  void matMul_inOut() {
    LinearMatch m = found(x().node("MatMul", "x w -> y"));
    assertEquals("x", m.input());
    assertEquals("y", m.output());
    assertEquals("w", m.weight());
    assertEquals(Orientation.IN_OUT, m.orientation());
    assertEquals(8, m.in());
    assertEquals(12, m.out());
    assertEquals(Optional.empty(), m.bias());
    assertEquals(1, m.nodes().size());
  }

  @Test
  void matMulOfTranspose_outIn() {
    LinearMatch m = found(x().node("Transpose", "wt -> t", ints("perm", 1, 0)).node("MatMul", "x t -> y"));
    assertEquals(Orientation.OUT_IN, m.orientation());
    assertEquals("wt", m.weight());
    assertEquals(8, m.in());
    assertEquals(12, m.out());
    assertEquals(2, m.nodes().size());
    assertFalse(at(x().node("Transpose", "wt -> t", ints("perm", 0, 1)).node("MatMul", "x t -> y")).isFound());
  }

  @Test
  void biasAddEitherSide() {
    assertEquals(Optional.of("b"), found(x().node("MatMul", "x w -> m").node("Add", "m b -> y")).bias());
    LinearMatch m = found(x().node("MatMul", "x w -> m").node("Add", "b m -> y"));
    assertEquals(Optional.of("b"), m.bias());
    assertEquals("x", m.input());
    assertEquals(2, m.nodes().size());
  }

  @Test
  void biasOfWrongSizeOrNotABias_misses() {
    assertTrue(at(x().node("MatMul", "x w -> m").node("Add", "m b8 -> y")).toString().contains("has shape"));
    assertTrue(at(x().input("z").node("MatMul", "x w -> m").node("Add", "m z -> y")).toString()
        .contains("expected a bias Add"));
  }

  @Test
  void gemm_transBAndBias() {
    LinearMatch m = found(x().node("Gemm", "x wt b -> y", integer("transB", 1)));
    assertEquals(Orientation.OUT_IN, m.orientation());
    assertEquals(Optional.of("b"), m.bias());
    assertEquals(12, m.out());
    assertEquals(Orientation.IN_OUT, found(x().node("Gemm", "x w -> y")).orientation());
  }

  @Test
  void gemm_otherAttributesOrTwoBiases_miss() {
    assertFalse(at(x().node("Gemm", "x w -> y", integer("transA", 1))).isFound());
    assertFalse(at(x().node("Gemm", "x w -> y", real("alpha", 2f))).isFound());
    assertFalse(at(x().node("Gemm", "x w b -> y", real("beta", 0.5f))).isFound());
    assertTrue(found(x().node("Gemm", "x w -> y", real("beta", 0.5f))).bias().isEmpty());
    assertTrue(at(x().node("Gemm", "x w b -> g").node("Add", "g b -> y")).toString().contains("only bias"));
    assertFalse(at(x().input("c").node("Gemm", "x w c -> y")).isFound());
  }

  @Test
  void flattenAndUnflattenReshapes_owned() {
    LinearMatch m = found(x().longs("flat", -1, 8).longs("back", 2, -1, 12).node("Reshape", "x flat -> f")
        .node("MatMul", "f w -> m").node("Reshape", "m back -> y"));
    assertEquals("x", m.input());
    assertEquals(3, m.nodes().size());
    // A flatten to another width is not the layer's: its input stays the Reshape output.
    assertEquals("f", found(x().longs("flat", -1, 4).node("Reshape", "x flat -> f").node("MatMul", "f w -> y"))
        .input());
  }

  @Test
  void unflattenChangingTheLastDim_misses() {
    String why = at(x().longs("back", 2, -1, 6).node("MatMul", "x w -> m").node("Reshape", "m back -> y"))
        .toString();
    assertTrue(why.contains("changes its last dim (expected 12)"), why);
  }

  @Test
  void unflattenToShapeOfItsInput_accepted() {
    // Reshape(m, Shape(m)[-1:]): the last element is m's own last dim.
    LinearMatch m = found(x().node("MatMul", "x w -> m").node("Shape", "m -> s", integer("start", -1))
        .node("Reshape", "m s -> y"));
    assertEquals("w", m.weight());
  }

  @Test
  void noCore_missNamingTheProducer() {
    String why = at(x().node("Relu", "x -> y")).toString();
    assertTrue(why.contains("expected MatMul or Gemm with an initializer weight producing y"), why);
    assertFalse(at(x().input("v").node("MatMul", "x v -> y")).isFound());
    assertFalse(at(x().weight("w3", 2, 8, 12).node("MatMul", "x w3 -> y")).isFound());
  }

  @Test
  void outputOf_followsBiasAndReshapeOnlyWhenSoleReader() {
    Graph g = x().longs("back", 2, -1, 12).node("MatMul", "x w -> m").node("Add", "m b -> a")
        .node("Reshape", "a back -> y").output("y").build();
    assertEquals("y", Linears.outputOf(g, g.producer("m").orElseThrow()));
    Graph shared = x().node("MatMul", "x w -> m").node("Add", "m b -> a").node("Relu", "m -> r").output("a")
        .output("r").build();
    assertEquals("m", Linears.outputOf(shared, shared.producer("m").orElseThrow()));
    Graph out = x().node("MatMul", "x w -> m").node("Add", "m b -> a").output("m").output("a").build();
    assertEquals("m", Linears.outputOf(out, out.producer("m").orElseThrow()));
    Graph notBias = x().input("z").node("MatMul", "x w -> m").node("Add", "z m -> a").output("a").build();
    assertEquals("m", Linears.outputOf(notBias, notBias.producer("m").orElseThrow()));
  }

  @Test
  void projectionAt_nonCore_missNamingIt() {
    Graph g = x().node("Relu", "x -> y").output("y").build();
    String why = Linears.projectionAt(g, g.producer("y").orElseThrow(), "fc2").toString();
    assertTrue(why.contains("expected fc2: MatMul/Gemm"), why);
    assertTrue(Linears.isCore(x().node("MatMul", "x w -> y").output("y").build(),
        x().node("MatMul", "x w -> y").output("y").build().producer("y").orElseThrow()));
  }
}

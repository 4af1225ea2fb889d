package org.ffnfuse.graph.pattern;

import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;

/** ZeroAddPattern: a removed attention branch's add of zeros, and near misses. */
class ZeroAddPatternTest {
  static final ZeroAddPattern P = new ZeroAddPattern();

  /** ConstantOfShape's {@code value} attribute: a one-element tensor of {@code type}. */
  static AttributeProto value(int type, float v) {
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(type).addDims(1);
    if (type == 7) {
      t.addInt64Data((long) v);
    } else {
      t.addFloatData(v);
    }
    return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
        .setT(t).build();
  }

  static Match<ZeroAddMatch> match(TinyGraph t) {
    Graph g = t.output("y").build();
    Node add = g.producer("y").orElseThrow();
    assertTrue(P.isAnchor(add));
    return P.match(g, add);
  }

  static TinyGraph shapeOfX() {
    return new TinyGraph().input("x").node("Shape", "x -> s");
  }

  @Test
  void names() {
    assertEquals("ZeroAdd", P.name());
    assertEquals("Add", P.anchorOp());
  }

  @Test
  void constantOfShapeWithoutValue_isZeros() {
    Graph g = shapeOfX().node("ConstantOfShape", "s -> z").node("Add", "x z -> y").output("y").build();
    Node add = g.producer("y").orElseThrow();
    ZeroAddMatch m = P.match(g, add).found().orElseThrow();
    assertSame(add, m.add());
    assertEquals("x", m.input());
    assertEquals("y", m.output());
  }

  @Test
  void constantOfShapeZeroFirstOperand_matchesTheOtherSide() {
    Match<ZeroAddMatch> m = match(shapeOfX().node("ConstantOfShape", "s -> z", value(1, 0f))
        .node("Add", "z x -> y"));
    assertEquals("x", m.found().orElseThrow().input());
  }

  @Test
  void constantOfShapeNonZeroOrInteger_misses() {
    assertFalse(match(shapeOfX().node("ConstantOfShape", "s -> z", value(1, 1f)).node("Add", "x z -> y"))
        .isFound());
    Match<ZeroAddMatch> m = match(shapeOfX().node("ConstantOfShape", "s -> z", value(7, 0f))
        .node("Add", "x z -> y"));
    assertFalse(m.isFound());
    assertTrue(m.toString().contains("neither operand is zeros"), m.toString());
  }

  @Test
  void expandOfZero_isZeros() {
    assertTrue(match(shapeOfX().scalar("zero", 0).node("Expand", "zero s -> z").node("Add", "x z -> y"))
        .isFound());
    assertFalse(match(shapeOfX().scalar("one", 1).node("Expand", "one s -> z").node("Add", "x z -> y"))
        .isFound());
    assertFalse(match(shapeOfX().weight("two", 2).node("Expand", "two s -> z").node("Add", "x z -> y"))
        .isFound());
    assertFalse(match(shapeOfX().input("v").node("Expand", "v s -> z").node("Add", "x z -> y")).isFound());
  }

  @Test
  void zerosShapedLikeAnotherValueOrPartOfTheShape_misses() {
    // Zeros the shape of w could broadcast x to a larger shape.
    assertFalse(match(new TinyGraph().input("x").input("w").node("Shape", "w -> s")
        .node("ConstantOfShape", "s -> z").node("Add", "x z -> y")).isFound());
    assertFalse(match(new TinyGraph().input("x").node("Shape", "x -> s", integer("start", 1))
        .node("ConstantOfShape", "s -> z").node("Add", "x z -> y")).isFound());
    assertFalse(match(new TinyGraph().input("x").node("Shape", "x -> s", integer("end", 2))
        .node("ConstantOfShape", "s -> z").node("Add", "x z -> y")).isFound());
    assertFalse(match(new TinyGraph().input("x").longs("s", 2, 3).node("ConstantOfShape", "s -> z")
        .node("Add", "x z -> y")).isFound());
  }

  @Test
  void scalarZeroConstant_matchesEitherSide() {
    assertEquals("x", match(new TinyGraph().input("x").scalar("zero", 0).node("Add", "x zero -> y"))
        .found().orElseThrow().input());
    assertEquals("x", match(new TinyGraph().input("x").scalar("zero", 0).node("Add", "zero x -> y"))
        .found().orElseThrow().input());
  }

  @Test
  void nonZeroOrVectorConstantOrInputs_miss() {
    assertFalse(match(new TinyGraph().input("x").scalar("c", 0.5f).node("Add", "x c -> y")).isFound());
    assertFalse(match(new TinyGraph().input("x").weight("v", 2).node("Add", "x v -> y")).isFound());
    assertFalse(match(new TinyGraph().input("x").input("w").node("Add", "x w -> y")).isFound());
    assertFalse(match(new TinyGraph().input("x").node("Neg", "x -> n").node("Add", "x n -> y")).isFound());
  }

  @Test
  void isAnchor_onlyAdd() {
    Graph g = new TinyGraph().input("x").node("Sub", "x x -> y").output("y").build();
    assertFalse(P.isAnchor(g.producer("y").orElseThrow()));
  }
}

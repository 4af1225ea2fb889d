package org.ffnfuse.graph.structure;

import static org.ffnfuse.graph.testing.TinyDecoder.HIDDEN;
import static org.ffnfuse.graph.testing.TinyDecoder.attention;
import static org.ffnfuse.graph.testing.TinyDecoder.embedded;
import static org.ffnfuse.graph.testing.TinyDecoder.ffnBlock;
import static org.ffnfuse.graph.testing.TinyDecoder.head;
import static org.ffnfuse.graph.testing.TinyDecoder.norm;
import static org.ffnfuse.graph.testing.TinyGraph.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which Adds on the stream are residual adds: zeros are stepped over, non-zero and non-stream
 * operands ignored.
 */
class ResidualCombinerTest {
  /** A ConstantOfShape whose {@code value} attribute is the one-element float tensor {@code v}. */
  private static AttributeProto value(float v) {
    return AttributeProto.newBuilder()
        .setName("value")
        .setType(AttributeProto.AttributeType.TENSOR)
        .setT(TensorProto.newBuilder().setDataType(1).addDims(1).addFloatData(v))
        .build();
  }

  static Stream<Arguments> notResidual() {
    return Stream.<Arguments>of(
        Arguments.of(
            "a non-zero constant",
            (UnaryOperator<TinyGraph>) t -> t.scalar("one", 1).node("Add", "h one -> y")),
        Arguments.of(
            "a non-zero vector",
            (UnaryOperator<TinyGraph>) t -> t.weight("bias", HIDDEN).node("Add", "bias h -> y")),
        Arguments.of(
            "a graph input",
            (UnaryOperator<TinyGraph>) t -> t.input("extra").node("Add", "h extra -> y")),
        Arguments.of(
            "ConstantOfShape(1)",
            (UnaryOperator<TinyGraph>)
                t ->
                    t.longs("dims", 1, HIDDEN)
                        .node("ConstantOfShape", "dims -> c", value(1))
                        .node("Add", "h c -> y")),
        Arguments.of(
            "Expand(1)",
            (UnaryOperator<TinyGraph>)
                t ->
                    t.scalar("one", 1)
                        .longs("dims", 1, HIDDEN)
                        .node("Expand", "one dims -> c")
                        .node("Add", "c h -> y")),
        Arguments.of(
            "a value computed from another input",
            (UnaryOperator<TinyGraph>)
                t -> t.input("extra").node("Relu", "extra -> r").node("Add", "h r -> y")),
        Arguments.of(
            "the stream itself", (UnaryOperator<TinyGraph>) t -> t.node("Add", "h h -> y")),
        Arguments.of(
            "a float Cast of the stream",
            (UnaryOperator<TinyGraph>)
                t -> t.node("Cast", "h -> hc", integer("to", 1)).node("Add", "hc h -> y")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notResidual")
  void recognize_addOfStreamAnd_isNotAResidualAdd(String what, UnaryOperator<TinyGraph> add)
      throws Exception {
    TinyGraph t = add.apply(embedded()).output("y");
    TransformerStructure s = TransformerStructure.recognize(head(t, "h").build());
    assertEquals(0, s.blocks().size());
    assertEquals("h", s.finalNorm().input());
    assertEquals("h", s.embedding().output());
  }

  @Test
  void recognize_constantOfShapeZero_isSteppedOver() throws Exception {
    TinyGraph t =
        embedded()
            .node("Shape", "h -> sh")
            .node("ConstantOfShape", "sh -> z", value(0))
            .node("Add", "h z -> h1");
    ffnBlock(t, "h1", "b");
    TransformerStructure s = TransformerStructure.recognize(head(t, "by").build());
    assertEquals(1, s.blocks().size());
    assertEquals("h1", s.block(0).ffn().orElseThrow().norm().input());
  }

  @ParameterizedTest
  @ValueSource(longs = {10, 11, 16})
  void recognize_streamCastToHalfDoubleOrBfloat_castIsAnAlias(long to) throws Exception {
    TinyGraph t = embedded().node("Cast", "h -> hc", integer("to", to));
    ffnBlock(t, "hc", "b");
    TransformerStructure s = TransformerStructure.recognize(head(t, "by").build());
    assertEquals(1, s.blocks().size());
    assertEquals("hc", s.block(0).ffn().orElseThrow().norm().input());
    assertEquals("h", s.embedding().output());
  }

  @Test
  void recognize_streamCastToInt_isNotAnAlias() {
    TinyGraph t = embedded().node("Cast", "h -> hc", integer("to", 7));
    ffnBlock(t, "hc", "b");
    UnrecognizedGraphException e =
        assertThrows(
            UnrecognizedGraphException.class,
            () -> TransformerStructure.recognize(head(t, "by").build()));
    assertTrue(
        e.diagnosis().problem().contains("ends without a recognized final norm"), e.getMessage());
  }

  @Test
  void recognize_branchAddedAsFirstOperand_residualStreamIsTheOther() throws Exception {
    TinyGraph t = embedded();
    norm(t, "h", "n1");
    attention(t, "n1", "a", "ao");
    t.node("Add", "ao h -> x1");
    ffnBlock(t, "x1", "b");
    TransformerStructure s = TransformerStructure.recognize(head(t, "by").build());
    assertEquals("h", s.block(0).attention().orElseThrow().residual().stream());
    assertEquals("x1", s.block(0).attention().get().residual().output().orElseThrow());
  }

  @Test
  void recognize_branchReadsNormsOfThisAndThePreviousStream_saysTwo() {
    // Block 0's attention reads n1 = norm(h); the next branch reads norm(x1) and n1 again.
    TinyGraph t = embedded();
    norm(t, "h", "n1");
    attention(t, "n1", "a", "ao");
    t.node("Add", "h ao -> x1");
    norm(t, "x1", "m");
    t.node("Add", "m n1 -> mn");
    attention(t, "mn", "c", "co");
    t.node("Add", "x1 co -> y");
    UnrecognizedGraphException e =
        assertThrows(
            UnrecognizedGraphException.class,
            () -> TransformerStructure.recognize(head(t, "y").build()));
    assertTrue(e.diagnosis().problem().contains("reads 2 norms of the stream"), e.getMessage());
  }
}

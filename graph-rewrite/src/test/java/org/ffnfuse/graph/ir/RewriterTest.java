package org.ffnfuse.graph.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.util.List;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.testing.TinyGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RewriterTest {
  /** x → Relu → a → Neg → b → Abs → y, plus an unrelated dead node d. */
  static Graph chain() {
    return new TinyGraph().input("x").node("Relu", "x -> a").node("Neg", "a -> b").node("Abs", "b -> y")
        .node("Sigmoid", "x -> d").output("y").build();
  }

  @Nested
  class Edits {
    @Test
    void replace_middleNode_keepsOrderAndVerifies() {
      Graph g = chain();
      Node neg = g.producer("b").orElseThrow();
      Rewriter r = g.rewriter();
      r.replace(List.of(neg), List.of(NodeProto.newBuilder().setOpType("Tanh").setName(r.uniqueNodeName("t"))
          .addInput("a").addOutput("b").build()));
      Graph out = r.apply();
      assertEquals(List.of("Relu", "Tanh", "Abs", "Sigmoid"), out.nodes().stream().map(Node::opType).toList());
      assertTrue(GraphVerifier.problems(out).isEmpty());
      assertEquals(4, g.nodes().size(), "base graph unchanged");
      assertTrue(out.contains(g.producer("a").orElseThrow()), "untouched nodes are the same objects");
    }

    @Test
    void replaceUses_andRemoveDeadNodes_dropsOnlyDeadFeeders() {
      Graph g = chain();
      Rewriter r = g.rewriter();
      r.remove(g.producer("y").orElseThrow());
      r.add(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y").build());
      Graph out = r.removeDeadNodes().apply();
      // Relu and Neg fed only the removed Abs; the unrelated dead Sigmoid stays.
      assertEquals(List.of("Sigmoid", "Identity"), out.nodes().stream().map(Node::opType).toList());
    }

    @Test
    void apply_addedNodeBeforeItsProducer_isSortedTopologically() {
      Graph g = chain();
      Rewriter r = g.rewriter();
      r.addBefore(g.producer("a").orElseThrow(), NodeProto.newBuilder().setOpType("Exp").addInput("b")
          .addOutput("e").build());
      Graph out = r.apply();
      assertTrue(out.indexOf(out.producer("e").orElseThrow()) > out.indexOf(out.producer("b").orElseThrow()));
    }

    @Test
    void uniqueValueName_existingName_getsSuffix() {
      Rewriter r = chain().rewriter();
      assertEquals("a_1", r.uniqueValueName("a"));
      assertEquals("a_2", r.uniqueValueName("a"));
      assertEquals("fresh", r.uniqueValueName("fresh"));
    }

    @Test
    void addInitializer_exportsHeaderAndData() throws Exception {
      Rewriter r = chain().rewriter();
      String name = r.addInitializer("w", Tensor.ofFloats(Shape.of(2), new float[] {1, 2}));
      r.add(NodeProto.newBuilder().setOpType("Add").addInput("y").addInput(name).addOutput("z").build());
      ExportedModel e = r.apply().export();
      assertEquals(List.of(2L), e.model().getGraph().getInitializer(0).getDimsList());
      assertTrue(e.model().getGraph().getInitializer(0).getRawData().isEmpty());
      assertEquals(8, e.withEmbeddedTensors().getGraph().getInitializer(0).getRawData().size());
    }

    @Test
    void apply_removedProducerStillRead_throws() {
      Graph g = chain();
      Rewriter r = g.rewriter().remove(g.producer("a").orElseThrow());
      assertThrows(IllegalStateException.class, r::apply);
    }

    @Test
    void apply_twice_throws() {
      Rewriter r = chain().rewriter();
      r.apply();
      assertThrows(IllegalStateException.class, r::apply);
    }
  }

  @Nested
  class Interface {
    /** x → Relu → y (output); cache_in → Identity → cache_out (output), as a KV cache passes through. */
    Graph withCache() {
      return new TinyGraph().input("x").input("cache_in").node("Relu", "x -> y").node("Identity", "cache_in -> c")
          .node("Neg", "c -> cache_out").output("y").output("cache_out").build();
    }

    @Test
    void removeGraphOutput_withDeadNodes_dropsItsProducersAndUnreadInput() {
      Graph g = withCache();
      Graph out = g.rewriter().removeGraphOutput("cache_out").removeGraphInput("cache_in").removeDeadNodes().apply();
      assertEquals(List.of("y"), out.outputs());
      assertEquals(List.of("x"), out.inputs());
      assertEquals(List.of("Relu"), out.nodes().stream().map(Node::opType).toList());
      ModelProto m = out.export().model();
      assertEquals(List.of("x"), m.getGraph().getInputList().stream().map(v -> v.getName()).toList());
      assertEquals(List.of("y"), m.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
      assertEquals(2, g.outputs().size(), "base graph unchanged");
    }

    @Test
    void removeGraphInput_stillRead_failsOnApply() {
      Graph g = withCache();
      Rewriter r = g.rewriter().removeGraphInput("cache_in");
      IllegalStateException e = assertThrows(IllegalStateException.class, r::apply);
      assertTrue(e.getMessage().contains("cache_in"), e.getMessage());
    }

    @Test
    void removeGraphOutput_notAnOutput_throws() {
      assertThrows(IllegalArgumentException.class, () -> withCache().rewriter().removeGraphOutput("c"));
      assertThrows(IllegalArgumentException.class, () -> withCache().rewriter().removeGraphInput("y"));
    }

    @Test
    void addFunction_andOpset_exported() {
      Graph g = chain();
      FunctionProto f = FunctionProto.newBuilder().setDomain("my.domain").setName("Twice").addInput("a")
          .addOutput("b").addNode(NodeProto.newBuilder().setOpType("Add").addInput("a").addInput("a").addOutput("b"))
          .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
      Rewriter r = g.rewriter().addFunction(f).addFunction(f).addOpsetImport("my.domain", 1).addOpsetImport("", 17);
      r.add(NodeProto.newBuilder().setOpType("Twice").setDomain("my.domain").addInput("y").addOutput("z").build());
      Graph out = r.apply();
      assertEquals(1, out.model().getFunctionsCount(), "an identical function is added once");
      assertEquals(1, out.opsetVersion("my.domain"));
      assertEquals(1, out.export().model().getFunctionsCount());
      assertEquals(0, g.model().getFunctionsCount(), "base graph unchanged");
    }

    @Test
    void addFunction_differentBodySameName_throws() {
      FunctionProto f = FunctionProto.newBuilder().setDomain("d").setName("F").addInput("a").addOutput("a").build();
      Rewriter r = chain().rewriter().addFunction(f);
      assertThrows(IllegalArgumentException.class, () -> r.addFunction(f.toBuilder().addOutput("b").build()));
    }

    @Test
    void requireIrVersion_raisesOnlyLowerVersions() {
      Graph g = chain();
      assertEquals(9, g.rewriter().requireIrVersion(9).apply().model().getIrVersion());
      assertEquals(8, g.rewriter().requireIrVersion(7).apply().model().getIrVersion());
    }

    @Test
    void addOpsetImport_otherVersionOfImportedDomain_throws() {
      assertThrows(IllegalArgumentException.class, () -> chain().rewriter().addOpsetImport("", 13));
    }
  }

  @Nested
  class ImportExport {
    @Test
    void export_untouchedModel_isIdentical() throws Exception {
      ModelProto m = new TinyGraph().input("x").node("Relu", "x -> y").output("y").model();
      NodeProto withMeta = m.getGraph().getNode(0).toBuilder()
          .addMetadataProps(StringStringEntryProto.newBuilder().setKey("k").setValue("v")).build();
      ModelProto model = m.toBuilder().setGraph(m.getGraph().toBuilder().setNode(0, withMeta)).build();
      assertEquals(model, Graph.of(model).export().model());
    }

    @Test
    void of_valueProducedTwice_throwsNamingIt() {
      ModelProto m = new TinyGraph().input("x").node("Relu", "x -> y").node("Neg", "x -> y").output("y").model();
      InvalidGraphException e = assertThrows(InvalidGraphException.class, () -> Graph.of(m));
      assertTrue(e.getMessage().contains("value y is produced by"), e.getMessage());
    }

    @Test
    void of_cycle_throws() {
      ModelProto m = new TinyGraph().input("x").node("Add", "x b -> a").node("Neg", "a -> b").output("b").model();
      assertThrows(InvalidGraphException.class, () -> Graph.of(m));
    }

    @Test
    void of_outOfOrderNodes_sorted() throws Exception {
      ModelProto m = new TinyGraph().input("x").node("Neg", "a -> y").node("Relu", "x -> a").output("y").model();
      Graph g = Graph.of(m);
      assertEquals(List.of("Relu", "Neg"), g.nodes().stream().map(Node::opType).toList());
      assertFalse(g.consumers("a").isEmpty());
    }
  }
}

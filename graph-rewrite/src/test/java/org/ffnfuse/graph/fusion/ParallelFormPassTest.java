package org.ffnfuse.graph.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.ffnfuse.formats.testing.Fixtures;
import org.ffnfuse.formats.testing.OrtRunner;
import org.ffnfuse.graph.analysis.AttentionRemovalPass;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.Node;
import org.ffnfuse.graph.testing.OnnxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelFormPassTest {
  @Test
  void run_singleFfnChain_isTheOriginalModel(@TempDir Path tmp) throws Exception {
    Path dir = Fixtures.bundled("random/qwen2");
    long[][] ids = Fixtures.reference(dir).inputIdsBatch();
    try (OnnxFiles.Opened in = OnnxFiles.open(dir.resolve("model.dynamo.onnx"))) {
      Graph p = ParallelFormPass.of(FusionPlan.parse("1")).run(in.graph()).graph();
      double d = OrtRunner.maxAbsDiff(OrtRunner.run(OnnxFiles.write(in.graph(), in.model(), tmp.resolve("a.onnx")),
          ids), OrtRunner.run(OnnxFiles.write(p, in.model(), tmp.resolve("b.onnx")), ids));
      assertTrue(d <= 1e-6, "x + h(x) as Sum(x, h(x)) changed logits by " + d);
    }
  }

  @Test
  void run_chain_rewiresOnly() throws Exception {
    try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("random/llama").resolve("model.torchscript.onnx"))) {
      Graph g = AttentionRemovalPass.of(Set.of(2, 3)).run(in.graph()).graph();
      Graph p = ParallelFormPass.of(FusionPlan.parse("1-3")).run(g).graph();
      assertEquals(g.initializers(), p.initializers(), "no weight added, removed or changed");
      assertEquals(1, p.nodes().stream().filter(n -> n.is("Sum")).count());
      Node sum = p.nodes().stream().filter(n -> n.is("Sum")).findFirst().orElseThrow();
      assertEquals(4, sum.inputs().size(), "the stream and three FFN outputs");
      assertEquals(g.nodes().size() - 2, p.nodes().size(), "three residual adds became one Sum");
    }
  }

  @Test
  void run_attentionInsideChain_refused() throws Exception {
    try (OnnxFiles.Opened in = OnnxFiles.open(Fixtures.bundled("random/llama").resolve("model.dynamo.onnx"))) {
      assertThrows(IllegalArgumentException.class, () -> ParallelFormPass.of(FusionPlan.parse("0-1"))
          .run(in.graph()));
    }
  }
}

package org.ffnfuse.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Exports a checkpoint to ONNX, then fuses blocks 8..13 in the ONNX graph: the chain's FFN subgraphs become one
 * {@code FusedFFN} node — what {@code ffnfuse export MODEL -o model.onnx} followed by
 * {@code ffnfuse fuse model.onnx --chains 8-13 -o fused.onnx} does.
 *
 * <pre>mvn -q -pl samples exec:java -Dexec.mainClass=org.ffnfuse.samples.FuseOnnx [-Dexec.args="MODEL OUT_DIR"]</pre>
 *
 * <p>Defaults: the bundled {@code nas-austen-16l}, output in a new temporary folder.
 */
public final class FuseOnnx {
  private FuseOnnx() {}

  public static void main(String[] args) throws Exception {
    Path model = SampleFiles.arg(args, 0, SampleFiles.model("nas-austen-16l"));
    Path dir = SampleFiles.arg(args, 1, Files.createTempDirectory("ffnfuse-sample-"));
    Path onnx = dir.resolve("model.onnx");
    Path fused = dir.resolve("fused.onnx");

    OnnxExporter.export(model, onnx, ExportOptions.defaults());
    Fusion.fuse(onnx, FusionPlan.parse("8-13"), fused, "same", false);

    try (OnnxModel a = OnnxModel.open(onnx); OnnxModel b = OnnxModel.open(fused)) {
      long fusedNodes = b.proto().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("FusedFFN"))
          .count();
      System.out.printf("%s: %d nodes; %s: %d nodes, %d FusedFFN%n", onnx, a.proto().getGraph().getNodeCount(),
          fused, b.proto().getGraph().getNodeCount(), fusedNodes);
    }
  }
}

package org.ffnfuse.converters.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.onnx.OnnxModel;

/**
 * How much memory one {@code run} of a model needs, estimated from its size before it starts.
 *
 * <p>Weights stream through fusion and export (one tensor block in heap at a time), so the peak is set by ONNX
 * Runtime: verification holds two sessions (original and fused, each about the model's fp32 weights — or fp16 for an
 * fp16 ONNX), and creating a session briefly needs about one more copy (graph optimization, pre-packed weights). The
 * analysis session runs alone, before them. Hence
 *
 * <pre>  estimate = {@value #FACTOR} × runtime weight bytes + {@value #OVERHEAD_MIB} MiB</pre>
 *
 * where the runtime weight bytes are a checkpoint's safetensors bytes scaled to fp32 (× 2 for bf16/fp16 checkpoints)
 * or an ONNX model's initializer bytes as stored, and the fixed overhead covers activations, tokenizer and JVM. A model
 * that cannot be read is estimated from its file sizes as if 16-bit (its run will fail and report why).
 */
public final class MemoryEstimate {
  /** Copies of the runtime weights held at the peak. */
  public static final int FACTOR = 3;
  /** Fixed overhead per job, MiB. */
  public static final int OVERHEAD_MIB = 256;

  private MemoryEstimate() {}

  /** The estimate for {@code model}, bytes. */
  public static long of(ZooModel model) throws IOException {
    return FACTOR * runtimeWeightBytes(model) + OVERHEAD_MIB * (1L << 20);
  }

  /** The model's weights as ONNX Runtime holds them, bytes. */
  static long runtimeWeightBytes(ZooModel model) throws IOException {
    if (model.checkpoint()) {
      long stored = 0;
      try (Stream<Path> s = Files.list(model.path())) {
        for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList()) {
          stored += Files.size(p);
        }
      }
      int bytesPerWeight;
      try {
        bytesPerWeight = HfConfigReader.read(model.path()).dtype().byteSize();
      } catch (IOException | RuntimeException e) {
        bytesPerWeight = 2;
      }
      return stored * 4 / Math.max(1, Math.min(4, bytesPerWeight));
    }
    try (OnnxModel onnx = OnnxModel.open(model.path())) {
      long total = 0;
      for (String name : onnx.initializerNames()) {
        total += onnx.initializer(name).byteSize();
      }
      return total;
    } catch (IOException | RuntimeException e) {
      long total = Files.size(model.path());
      Path data = model.path().resolveSibling(model.path().getFileName() + ".data");
      if (Files.isRegularFile(data)) {
        total += Files.size(data);
      }
      return total * 2;
    }
  }
}

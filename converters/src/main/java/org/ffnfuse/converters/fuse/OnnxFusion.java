package org.ffnfuse.converters.fuse;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Fp16Overflow;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.fusion.BlockRole;
import org.ffnfuse.graph.fusion.FfnFusionPass;
import org.ffnfuse.graph.fusion.FusionPlan;
import org.ffnfuse.graph.ir.ExportedModel;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;
import org.ffnfuse.graph.pass.PassManager;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/**
 * FFN Fusion of an ONNX file into an ONNX file ({@link FfnFusionPass}): each chain becomes one
 * {@code ai.ffnfuse.FusedFFN} node (or its operators inline). The fused weights are streamed into the output's
 * external data file ({@code <out>.data}) with the other initializers that were external in the input (and any
 * inline one of at least 1 KiB, as {@link org.ffnfuse.formats.onnx.OnnxWriteOptions#defaults()} does); everything
 * outside the chains is carried over unchanged. The output appears atomically; on any error nothing is written.
 */
public final class OnnxFusion {
  private OnnxFusion() {}

  /** {@link #fuse(Path, FusionPlan, Path, FfnFusionPass.Options)} with a {@code FusedFFN} function, weights fp32. */
  public static List<String> fuse(Path input, FusionPlan plan, Path output) throws IOException {
    return fuse(input, plan, output, FfnFusionPass.Options.defaults().withWeightType(DType.F32));
  }

  /**
   * Fuses {@code plan}'s chains of {@code input} and writes {@code output}.
   *
   * @return the passes' reports, e.g. {@code FfnFusion: fused 1 chain, 7 FFNs → 1 (...)}
   * @throws ModelFormatException if {@code input} is not a valid ONNX model or not a transformer FFNFuse recognizes
   *     (the message names the node where recognition stopped)
   * @throws IllegalArgumentException if the plan does not apply to the model (checked before anything is written),
   *     or {@code output} does not end in {@code .onnx}
   */
  public static List<String> fuse(Path input, FusionPlan plan, Path output, FfnFusionPass.Options options)
      throws IOException {
    return fuse(input, plan, output, options, Fp16Overflow.ERROR);
  }

  /**
   * {@link #fuse(Path, FusionPlan, Path, FfnFusionPass.Options)}; with fp16 weights, {@code fp16Overflow} says what a
   * finite weight beyond ±65504 does (fail naming the initializer, or clamp).
   */
  public static List<String> fuse(Path input, FusionPlan plan, Path output, FfnFusionPass.Options options,
      Fp16Overflow fp16Overflow) throws IOException {
    checkNotNull(plan);
    checkNotNull(options);
    checkArgument(CheckpointOutput.isOnnx(output), "an ONNX input gives ONNX output: name the output *.onnx, not %s",
        output);
    try (OnnxModel m = OnnxModel.open(input)) {
      Graph g = graph(input, m);
      TransformerStructure s = recognize(input, g);
      plan.check(s.blocks().stream().map(b -> new BlockRole(b.attention().isPresent(), b.ffn().isPresent()))
          .toList());
      PassManager.Outcome o;
      try {
        o = PassManager.of(FfnFusionPass.of(plan, options)).run(g);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      write(o.graph(), m, output, fp16Overflow);
      return o.reports();
    }
  }

  /**
   * Parses {@code --dtype} for ONNX input: {@code same} keeps the original weights' type; {@code fp32}, {@code fp16}.
   *
   * @throws IllegalArgumentException for {@code bf16} (ONNX Runtime has no bf16 MatMul on CPU) or an unknown name
   */
  public static Optional<DType> weightType(String option) {
    DType d = CheckpointOutput.dtype(option, DType.BF16, false);
    if (d == DType.BF16) {
      if (option.equalsIgnoreCase("same")) {
        return Optional.empty();
      }
      throw new IllegalArgumentException("ONNX output supports fp32 and fp16 weights, not bf16");
    }
    return Optional.of(d);
  }

  /** The main graph of {@code m}, reading initializers from it. */
  static Graph graph(Path file, OnnxModel m) throws ModelFormatException {
    try {
      return Graph.of(m.proto(), m::initializer);
    } catch (InvalidGraphException e) {
      throw new ModelFormatException(file, e.getMessage() + "; the file is not a valid ONNX graph", e);
    }
  }

  /** The structure of {@code g}, or a typed error with the recognizer's diagnosis. */
  static TransformerStructure recognize(Path file, Graph g) throws ModelFormatException {
    try {
      return TransformerStructure.recognize(g);
    } catch (UnrecognizedGraphException e) {
      throw new ModelFormatException(file, e.getMessage() + " (run 'ffnfuse inspect' on it for details; FFNFuse"
          + " needs a decoder-only transformer with pre-norm residual blocks)", e);
    }
  }

  /**
   * Writes {@code g} to {@code out}: new initializers and those external in {@code source} are streamed into
   * {@code <out>.data}.
   */
  static void write(Graph g, OnnxModel source, Path out) throws IOException {
    write(g, source, out, Fp16Overflow.ERROR);
  }

  private static void write(Graph g, OnnxModel source, Path out, Fp16Overflow fp16Overflow) throws IOException {
    ExportedModel e = g.export();
    Map<String, Tensor> data = new LinkedHashMap<>(e.newTensors());
    for (var t : e.model().getGraph().getInitializerList()) {
      String name = t.getName();
      if (!data.containsKey(name) && source.findInitializer(name).isPresent() && source.isExternal(name)) {
        data.put(name, source.initializer(name));
      }
    }
    OnnxModelWriter.write(e.model(), data, out,
        org.ffnfuse.formats.onnx.OnnxWriteOptions.defaults().withManifest(true).withFp16Overflow(fp16Overflow));
  }
}

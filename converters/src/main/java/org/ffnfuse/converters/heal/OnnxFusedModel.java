package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.onnx.OnnxModelWriter;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;
import org.ffnfuse.graph.fusion.FfnWeights;
import org.ffnfuse.graph.fusion.NormParams;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;
import org.ffnfuse.graph.pass.FunctionInlining;
import org.ffnfuse.graph.pattern.FfnMatch;
import org.ffnfuse.graph.pattern.LinearMatch;
import org.ffnfuse.graph.pattern.NormMatch;
import org.ffnfuse.graph.structure.Block;
import org.ffnfuse.graph.structure.FfnBranch;
import org.ffnfuse.graph.structure.TransformerStructure;
import org.ffnfuse.graph.structure.UnrecognizedGraphException;

/**
 * A fused ONNX model whose fused blocks are recognized as FFNs ({@link TransformerStructure}) — plain operators (a
 * checkpoint fused to ONNX, or {@code fuse --inline}) or calls of the model-local function {@code FusedFFN}, which are
 * inlined for recognition only ({@link FunctionInlining}; the weights keep their initializer names). Healing replaces
 * the data of the fused blocks' gate, up and down weight initializers (same names, dtypes, shapes and orientation);
 * everything else, {@code FusedFFN} nodes and functions included, is copied as it is. The output is written with
 * {@link OnnxModelWriter} (external data beside it, atomically).
 */
final class OnnxFusedModel implements FusedModel {
  private final OnnxModel model;
  private final Graph graph;
  private final TransformerStructure structure;
  private boolean closed;

  private OnnxFusedModel(OnnxModel model, Graph graph, TransformerStructure structure) {
    this.model = model;
    this.graph = graph;
    this.structure = structure;
  }

  static OnnxFusedModel open(Path file) throws IOException {
    OnnxModel m = OnnxModel.open(file);
    try {
      Graph g = new FunctionInlining().run(Graph.of(m.proto(), m::initializer)).graph();
      return new OnnxFusedModel(m, g, TransformerStructure.recognize(g));
    } catch (InvalidGraphException | UnrecognizedGraphException e) {
      m.close();
      throw new ModelFormatException(file, "cannot find the fused blocks: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  @Override
  public boolean isOnnx() {
    return true;
  }

  @Override
  public int blockCount() {
    return structure.blocks().size();
  }

  @Override
  public long ffnWidth(int index) {
    return structure.block(index).ffn().map(f -> f.ffn().width()).orElse(0L);
  }

  private FfnBranch branch(int index) {
    Block b = structure.block(index);
    FfnBranch f = b.ffn().orElseThrow(() -> new IllegalArgumentException("block " + index + " of " + model.path()
        + " has no FFN"));
    checkArgument(f.ffn().gateUp().isEmpty(), "block %s of %s has a fused gate/up projection, which healing does"
        + " not handle yet", index, model.path());
    return f;
  }

  @Override
  public FusedBlockParameters block(int index, List<Long> memberWidths) throws IOException {
    checkState(!closed, "closed");
    FfnBranch b = branch(index);
    FfnMatch f = b.ffn();
    NormMatch n = b.norm();
    long hidden = f.hidden();
    Tensor gain = n.weight().isPresent() ? graph.tensor(n.weight().get())
        : Tensor.ofFloats(org.ffnfuse.formats.tensor.Shape.of(hidden), ones((int) hidden));
    Optional<Tensor> bias = n.bias().isPresent() ? Optional.of(graph.tensor(n.bias().get())) : Optional.empty();
    NormParams norm = new NormParams(n.kind(), n.epsilon(), gain, (float) n.gainOffset(), bias);
    LinearMatch up = f.up().orElseThrow(() -> new IllegalArgumentException("block " + index + ": FFN without up"));
    checkArgument(f.gate().map(g -> g.orientation() == up.orientation()).orElse(true)
        && f.down().orientation() == up.orientation(), "block %s: FFN projections stored in mixed orientations",
        index);
    checkArgument(f.activationBias().isEmpty(), "block %s: an activation with a built-in bias is not handled yet",
        index);
    FfnWeights w = new FfnWeights(f.activation(), up.orientation(),
        f.gate().isPresent() ? Optional.of(graph.tensor(f.gate().get().weight())) : Optional.empty(),
        graph.tensor(up.weight()), graph.tensor(f.down().weight()), bias(f.gate()), bias(Optional.of(up)),
        bias(Optional.of(f.down())));
    return FusedBlockParameters.read(norm, w, memberWidths);
  }

  private Optional<Tensor> bias(Optional<LinearMatch> l) throws IOException {
    if (l.isEmpty() || l.get().bias().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(graph.tensor(l.get().bias().get()));
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }

  @Override
  public void write(Map<Integer, FusedBlockParameters> healed, Path output) throws IOException {
    checkState(!closed, "closed");
    checkArgument(CheckpointOutput.isOnnx(output), "a fused ONNX model heals into an .onnx file, not %s", output);
    Map<String, Tensor> data = new HashMap<>();
    for (String name : model.initializerNames()) {
      if (model.isExternal(name)) {
        data.put(name, model.initializer(name));
      }
    }
    for (Map.Entry<Integer, FusedBlockParameters> e : healed.entrySet()) {
      FfnMatch f = branch(e.getKey()).ffn();
      LinearMatch up = f.up().orElseThrow();
      FfnWeights w = e.getValue().toFfnWeights(DType.F32, up.orientation());
      if (f.gate().isPresent()) {
        replace(data, f.gate().get().weight(), w.gate().orElseThrow());
      }
      replace(data, up.weight(), w.up());
      replace(data, f.down().weight(), w.down());
    }
    OnnxModelWriter.write(model.proto(), data, output,
        org.ffnfuse.formats.onnx.OnnxWriteOptions.defaults().withManifest(true));
  }

  /** Puts {@code value} for initializer {@code name}, converted to the initializer's dtype. */
  private void replace(Map<String, Tensor> data, String name, Tensor value) {
    Tensor old = model.initializer(name);
    checkArgument(old.shape().equals(value.shape()), "initializer %s is %s, healed weight %s", name, old.shape(),
        value.shape());
    checkArgument(graph.consumers(name).size() == 1, "initializer %s is read by %s nodes; healing one block must not"
        + " change the others", name, graph.consumers(name).size());
    data.put(name, old.dtype() == value.dtype() ? value
        : org.ffnfuse.formats.tensor.Tensors.converted(value, old.dtype()));
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      model.close();
    }
  }
}

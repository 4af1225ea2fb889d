package org.ffnfuse.converters.recipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.ffnfuse.converters.bench.BenchMemory;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.converters.fuse.ModelFusion;
import org.ffnfuse.converters.fuse.NemotronNasCheckpointWriter;
import org.ffnfuse.converters.fuse.OnnxFusion;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.config.ResidualLayout;
import org.ffnfuse.graph.fusion.BlockRole;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * A recipe checked against one model before any work: the input's kind and config, the output format, named blocks
 * and chains against the model's blocks, texts tokenized into windows. Every problem found here is an
 * {@link IllegalArgumentException} naming the recipe key, thrown before anything is written.
 */
final class RunPlan {
  private final ModelInput input;
  private final Recipe recipe;
  private final OutputFormat format;
  private final long inputBytes;
  private final Optional<long[][]> calibration;
  private final boolean calibrationBos;
  private final Optional<long[][]> verifyWindows;

  private RunPlan(ModelInput input, Recipe recipe, OutputFormat format, long inputBytes,
      Optional<long[][]> calibration, boolean calibrationBos, Optional<long[][]> verifyWindows) {
    this.input = input;
    this.recipe = recipe;
    this.format = format;
    this.inputBytes = inputBytes;
    this.calibration = calibration;
    this.calibrationBos = calibrationBos;
    this.verifyWindows = verifyWindows;
  }

  /** Checks {@code recipe} against {@code model} and prepares the token windows. */
  static RunPlan prepare(Path model, Recipe recipe) throws IOException {
    ModelInput in = ModelInput.open(model);
    OutputFormat format = recipe.output().format().orElse(in.checkpoint() ? OutputFormat.CHECKPOINT
        : OutputFormat.ONNX);
    if (in.checkpoint()) {
      checkCheckpoint(in, recipe, format);
    } else {
      checkOnnx(in, recipe, format);
    }
    Optional<long[][]> calibration = Optional.empty();
    boolean bos = false;
    if (recipe.needsAnalysis()) {
      Calibration c = recipe.calibration().orElseThrow();
      calibration = Optional.of(TokenWindowSource.windows(in, c.text(), c.window(), c.windows(), c.tokens(),
          "calibration.text"));
      bos = !EvalTokens.isTokenFile(c.text());
    }
    Optional<long[][]> verify = Optional.empty();
    if (recipe.verify().isPresent()) {
      VerifyOptions v = recipe.verify().get();
      verify = Optional.of(TokenWindowSource.windows(in, recipe.verifyText().orElseThrow(), v.window(), v.windows(),
          OptionalInt.empty(), "verify.text"));
    }
    if (recipe.bench().isPresent()) {
      BenchMemory.requireFits(model, recipe.bench().get().config(recipe.threads(), recipe.seed()),
          BenchMemory.available());
    }
    return new RunPlan(in, recipe, format, modelBytes(in), calibration, bos, verify);
  }

  private static void checkCheckpoint(ModelInput in, Recipe recipe, OutputFormat format) {
    ModelConfig config = in.config().orElseThrow();
    if (format == OutputFormat.CHECKPOINT) {
      NemotronNasCheckpointWriter.unsupported(config).ifPresent(m -> {
        throw new IllegalArgumentException("output.format: checkpoint: " + m + " (set output.format: onnx)");
      });
    }
    try {
      CheckpointOutput.dtype(recipe.output().dtype().option(), config.dtype(), format == OutputFormat.ONNX);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("output.dtype: " + e.getMessage(), e);
    }
    List<BlockRole> roles = new ArrayList<>(ModelFusion.roles(config));
    if (recipe.dropAttention().isPresent()) {
      if (config.layout() != ResidualLayout.PRE_NORM) {
        throw new IllegalArgumentException("drop_attention: " + config.family().modelType() + " has a "
            + config.layout() + " residual layout, where attention and FFN cannot be separated");
      }
      if (recipe.dropAttention().get() instanceof DropAttentionStep.Blocks b) {
        Set<Integer> blocks = b.asSet();
        for (int i : blocks) {
          if (i >= roles.size()) {
            throw new IllegalArgumentException("drop_attention.blocks: block " + i + " does not exist (" + in.path()
                + " has blocks 0-" + (roles.size() - 1) + ")");
          }
          roles.set(i, new BlockRole(false, roles.get(i).hasFfn()));
        }
      }
    }
    if (recipe.plan().isPresent()) {
      if (config.layout() != ResidualLayout.PRE_NORM) {
        throw new IllegalArgumentException("plan: " + config.family().modelType() + " uses a " + config.layout()
            + " residual layout; FFN Fusion needs pre-norm blocks (x + ffn(norm(x)))");
      }
      boolean autoDrop = recipe.dropAttention().filter(d -> d instanceof DropAttentionStep.Auto).isPresent();
      if (recipe.plan().get() instanceof PlanStep.Chains c && !autoDrop) {
        FusionPlan plan = c.plan();
        plan.problem(roles).ifPresent(p -> {
          throw new IllegalArgumentException("plan.chains: " + p);
        });
      }
    }
  }

  private static void checkOnnx(ModelInput in, Recipe recipe, OutputFormat format) {
    if (format == OutputFormat.CHECKPOINT) {
      throw new IllegalArgumentException("output.format: checkpoint needs a checkpoint input; " + in.path()
          + " is ONNX, which gives ONNX output (output.format: onnx)");
    }
    WeightDtype dtype = recipe.fuse().dtype().orElse(recipe.output().dtype());
    try {
      OnnxFusion.weightType(dtype.option());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException((recipe.fuse().dtype().isPresent() ? "fuse.dtype: " : "output.dtype: ")
          + e.getMessage(), e);
    }
    if (recipe.plan().isEmpty() && recipe.dropAttention().isEmpty()) {
      throw new IllegalArgumentException("plan: an ONNX input needs a plan or a drop_attention section: without"
          + " either there is nothing to do");
    }
  }

  /** Bytes of the input's model files (safetensors; .onnx and its external data). */
  static long modelBytes(ModelInput in) throws IOException {
    long total = 0;
    if (in.checkpoint()) {
      try (var s = Files.list(in.path())) {
        for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList()) {
          total += Files.size(p);
        }
      }
      return total;
    }
    Path dir = in.path().toAbsolutePath().getParent();
    String name = in.path().getFileName().toString();
    total = Files.size(in.path());
    for (String data : List.of(name + ".data", name.replaceFirst("\\.onnx$", "") + ".data")) {
      if (Files.isRegularFile(dir.resolve(data))) {
        total += Files.size(dir.resolve(data));
        break;
      }
    }
    return total;
  }

  ModelInput input() {
    return input;
  }

  Recipe recipe() {
    return recipe;
  }

  OutputFormat format() {
    return format;
  }

  long inputBytes() {
    return inputBytes;
  }

  /** Calibration windows (present when an analysis step runs). */
  long[][] calibration() {
    return calibration.orElseThrow(() -> new IllegalStateException("no calibration windows prepared"));
  }

  /** Whether each calibration window starts with BOS. */
  boolean calibrationBos() {
    return calibrationBos;
  }

  /** Verify windows (present when the recipe verifies). */
  long[][] verifyWindows() {
    return verifyWindows.orElseThrow(() -> new IllegalStateException("no verify windows prepared"));
  }
}

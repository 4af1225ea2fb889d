package org.ffnfuse.converters.heal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.fuse.CheckpointOutput;
import org.ffnfuse.converters.fuse.NemotronNasCheckpointWriter;
import org.ffnfuse.converters.eval.FailedCheckException;
import org.ffnfuse.graph.fusion.ChainRange;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Heals a fused model: each fused block is fitted, on calibration text, to the chain of FFNs it replaced in the
 * original model (blockwise local distillation, as NVIDIA's Puzzle does), and the model is written again with the same
 * structure and shapes.
 *
 * <ol>
 *   <li>The original model (a checkpoint is exported to a temporary ONNX file first) runs on ONNX Runtime with each
 *       chain's boundary values exposed ({@link ActivationCollector}): {@code x} entering the chain's first FFN norm
 *       and {@code y} after its last block, for up to {@link HealOptions#tokens()} tokens.
 *   <li>The chains come from the plan the model was fused with ({@code --chains} / {@code --plan}, block indices of the
 *       original). The fused block of chain {@code s..e} is block {@code s} minus the blocks earlier chains removed
 *       (or block {@code s} itself when the fused model kept placeholders, i.e. has as many blocks as the original);
 *       its FFN must be as wide as the chain's FFNs together (or that rounded up to 256, nemotron-nas padding).
 *   <li>Each block is fitted to minimize {@code Σ‖y − x − F(x)‖² / Σ‖y − x‖²} on the first tokens, judged on the last
 *       {@link HealOptions#heldOutFraction()}: {@link LeastSquaresHealer} or a {@link DistillationBackend}.
 *   <li>The healed model is written like the fused one: checkpoint folder through
 *       {@link NemotronNasCheckpointWriter}, ONNX file through the ONNX writer, atomically.
 * </ol>
 */
public final class Healing {
  private static final Logger LOG = Logger.getLogger(Healing.class.getName());

  private Healing() {}

  /**
   * Heals {@code fused} (fused from {@code original} with {@code plan}) and writes {@code output}.
   *
   * @param windows calibration token windows
   * @param bosFirst whether each window starts with BOS
   * @param status receives one line per step, for people
   * @throws IllegalArgumentException if the plan does not match the two models, the output kind differs from the
   *     fused model's, or {@code --method distill} has no backend (message says how to enable it); nothing is written
   */
  public static HealReport heal(Path original, Path fused, FusionPlan plan, long[][] windows, boolean bosFirst,
      HealOptions options, Path output, Consumer<String> status) throws IOException, OrtException {
    checkNotNull(plan);
    checkNotNull(options);
    checkArgument(CheckpointOutput.isOnnx(fused) == CheckpointOutput.isOnnx(output), "the healed model has the fused"
        + " model's format: %s", CheckpointOutput.isOnnx(fused) ? "name the output *.onnx" : "give a folder, not *.onnx");
    checkArgument(!Files.exists(output) || Files.isDirectory(output) && isEmptyDir(output),
        "output %s exists; choose another or delete it first", output);
    DistillationBackend backend = options.method() == HealMethod.DISTILL ? Distillation.require() : null;
    List<ChainRange> chains = plan.chains();
    long t0 = System.nanoTime();
    try (FusedModel fm = FusedModel.open(fused)) {
      int[] fusedIndex;
      CollectedChains collected;
      try (RunnableModel orig = RunnableModel.open(original)) {
        status.accept("collecting " + options.tokens() + " tokens of chain inputs/outputs from " + original);
        collected = ActivationCollector.collect(orig.onnx(), chains, windows, bosFirst, options.tokens(),
            options.threads(), n -> { });
        fusedIndex = fusedBlocks(chains, collected.blocks(), fm);
      }
      double collectSeconds = seconds(t0);
      List<HealReport.Chain> reports = new ArrayList<>();
      Map<Integer, FusedBlockParameters> healed = new LinkedHashMap<>();
      long fitStart = System.nanoTime();
      for (int c = 0; c < chains.size(); c++) {
        ChainRange chain = chains.get(c);
        List<Long> widths = collected.memberWidths().get(c);
        checkWidth(chain, widths, fusedIndex[c], fm.ffnWidth(fusedIndex[c]));
        FusedBlockParameters p = fm.block(fusedIndex[c], widths);
        ChainSamples all = collected.samples().get(c);
        requireFinite(original, chain, all);
        int held = Math.max(1, (int) Math.round(all.count() * options.heldOutFraction()));
        checkArgument(all.count() - held >= 1, "only %s tokens collected; give more text", all.count());
        ChainSamples train = all.slice(0, all.count() - held);
        ChainSamples heldOut = all.slice(all.count() - held, all.count());
        status.accept(String.format(Locale.ROOT, "chain %s → fused block %d (width %d): fitting on %d tokens, %d"
            + " held out (%s)", chain, fusedIndex[c], p.width(), train.count(), heldOut.count(),
            options.method().cliName()));
        long cs = System.nanoTime();
        HealReport.Chain r;
        FusedBlockParameters result;
        if (backend == null) {
          LeastSquaresHealer.Result fit = LeastSquaresHealer.fit(p, train, heldOut, options.lstsq());
          result = fit.healed();
          r = new HealReport.Chain(chain, fusedIndex[c], p.width(), train.count(), heldOut.count(),
              fit.heldOutBefore(), fit.heldOutAfter(), fit.choice(), seconds(cs));
        } else {
          DistillationResult fit = backend.distill(new DistillationProblem(p, train, heldOut,
              options.distill().withThreads(options.threads())));
          result = fit.healed();
          r = new HealReport.Chain(chain, fusedIndex[c], p.width(), train.count(), heldOut.count(),
              fit.heldOutBefore(), fit.heldOutAfter(), String.format(Locale.ROOT, "%d Adam steps (%.2f epochs)",
                  fit.steps(), fit.epochs()), seconds(cs));
        }
        if (!result.isFinite() || !Double.isFinite(r.heldOutBefore()) || !Double.isFinite(r.heldOutAfter())) {
          throw new FailedCheckException(String.format(Locale.ROOT, "fitting chain %s produced non-finite weights"
              + " or errors (held-out relative error %s → %s); nothing written (try more tokens, or a smaller"
              + " learning rate for distill)", chain, r.heldOutBefore(), r.heldOutAfter()));
        }
        healed.put(fusedIndex[c], result);
        reports.add(r);
        status.accept(String.format(Locale.ROOT, "chain %s: held-out relative error %.4f → %.4f (%s, %.1f s)", chain,
            r.heldOutBefore(), r.heldOutAfter(), r.detail(), r.seconds()));
      }
      double fitSeconds = seconds(fitStart);
      long ws = System.nanoTime();
      fm.write(healed, output);
      LOG.fine(() -> "wrote " + output);
      return new HealReport(options.method(), backend == null ? "lstsq" : backend.name(),
          collected.samples().get(0).count(), reports, collectSeconds, fitSeconds, seconds(ws));
    }
  }

  /** The original model's activations are the fit's targets: a NaN or infinity there makes any fit meaningless. */
  private static void requireFinite(Path original, ChainRange chain, ChainSamples samples) {
    OptionalInt bad = samples.firstNonFiniteToken();
    if (bad.isPresent()) {
      throw new FailedCheckException(String.format(Locale.ROOT, "%s: the activations around chain %s hold NaN or"
          + " infinite values, first at collected token %d; the original model is broken, nothing written",
          original, chain, bad.getAsInt()));
    }
  }

  /** Fused block index of each chain (see the class comment). */
  static int[] fusedBlocks(List<ChainRange> chains, int originalBlocks, FusedModel fused) {
    int removed = chains.stream().mapToInt(c -> c.length() - 1).sum();
    int n = fused.blockCount();
    boolean placeholders = n == originalBlocks;
    checkArgument(placeholders || n == originalBlocks - removed, "the fused model has %s blocks; the original has %s"
        + " and fusing %s leaves %s (or %s with placeholders): was it fused with this plan?", n, originalBlocks,
        chains, originalBlocks - removed, originalBlocks);
    int[] out = new int[chains.size()];
    int shift = 0;
    for (int c = 0; c < chains.size(); c++) {
      out[c] = placeholders ? chains.get(c).first() : chains.get(c).first() - shift;
      shift += chains.get(c).length() - 1;
    }
    return out;
  }

  private static void checkWidth(ChainRange chain, List<Long> widths, int block, long width) {
    long sum = widths.stream().mapToLong(Long::longValue).sum();
    checkArgument(width == sum || width == NemotronNasCheckpointWriter.roundUp256(sum), "fused block %s has an FFN"
        + " %s wide, but the original's chain %s has FFNs %s (together %s): was the model fused with this plan?",
        block, width, chain, widths, sum);
  }

  private static boolean isEmptyDir(Path p) throws IOException {
    try (var s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}

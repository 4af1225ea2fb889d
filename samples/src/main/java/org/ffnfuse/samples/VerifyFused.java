package org.ffnfuse.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.fuse.Fusion;
import org.ffnfuse.converters.recipe.LargeStackThreads;
import org.ffnfuse.converters.verify.Verifier;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.graph.fusion.FusionPlan;

/**
 * Compares a fused model with its original on held-out text: perplexity of both, KL(original‖fused), top-1 agreement
 * — what {@code ffnfuse verify ORIGINAL FUSED --text FILE} does. Without a fused model it fuses blocks 8..13 first.
 *
 * <pre>mvn -q -pl samples exec:java -Dexec.mainClass=org.ffnfuse.samples.VerifyFused \
 *     [-Dexec.args="ORIGINAL FUSED TEXT WINDOWS"]</pre>
 *
 * <p>Defaults: the bundled {@code nas-austen-16l}, fused now, on 8 windows of 128 tokens of the bundled Persuasion
 * excerpt. ONNX Runtime sessions are created on a {@link LargeStackThreads} thread: its graph optimizer needs more
 * than the JVM's default 1 MiB thread stack.
 */
public final class VerifyFused {
  private VerifyFused() {}

  public static void main(String[] args) throws Exception {
    Path original = SampleFiles.arg(args, 0, SampleFiles.model("nas-austen-16l"));
    Path fused = args.length > 1 ? Path.of(args[1]) : null;
    Path text = SampleFiles.arg(args, 2, SampleFiles.text("persuasion-excerpt.txt"));
    int windows = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    if (fused == null) {
      fused = Files.createTempDirectory("ffnfuse-sample-").resolve("fused");
      Fusion.fuse(original, FusionPlan.parse("8-13"), fused, "same", false);
    }
    Path f = fused;

    VerifyReport r = LargeStackThreads.call(() -> {
      try (RunnableModel a = RunnableModel.open(original); RunnableModel b = RunnableModel.open(f)) {
        long[] tokens = EvalTokens.tokenize(text, a.tokenizer().orElseThrow());
        long[][] w = TokenWindows.cut(tokens, Optional.of(a.bos().orElseThrow()), 128, windows);
        return Verifier.verify(a, b, w, 0, done -> { });
      }
    });

    System.out.printf(Locale.ROOT, "perplexity %.3f → %.3f (%+.2f%%), KL %.4f nats/token, top-1 %.1f%%, CUDA EP %s%n",
        r.original().perplexity(), r.fused().perplexity(), 100 * r.perplexityIncrease(), r.kl(), 100 * r.top1(),
        r.cudaCompatible() ? "yes" : "no");
  }
}

package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.ModelVocab;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.converters.fuse.PlanFile;
import org.ffnfuse.converters.heal.Distillation;
import org.ffnfuse.converters.heal.HealMethod;
import org.ffnfuse.converters.heal.HealOptions;
import org.ffnfuse.converters.heal.HealReport;
import org.ffnfuse.converters.heal.Healing;
import org.ffnfuse.converters.heal.LeastSquaresHealer;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.graph.fusion.FusionPlan;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse heal}: fits each fused block to the chain it replaced, on calibration text. */
@Command(name = "heal", mixinStandardHelpOptions = true,
    description = {"Heal a fused model: fit each fused FFN to the chain of FFNs it replaced",
        "(blockwise local distillation on calibration text), keeping structure and shapes.",
        "--method lstsq (default): closed-form ridge re-fit of the down projection.",
        "--method distill: Adam on gate/up/down (needs the TensorFlow module, mvn -Pheal)."})
final class HealCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ORIGINAL", description = "the unfused model: checkpoint folder or .onnx")
  Path original;

  @Parameters(index = "1", paramLabel = "FUSED",
      description = "the fused model: nemotron-nas checkpoint folder or .onnx (written by ffnfuse fuse)")
  Path fused;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Chains chains;

  static final class Chains {
    @Option(names = "--chains", paramLabel = "FIRST-LAST[,…]",
        description = "the chains the model was fused with (block indices of the original), e.g. 8-14")
    String spec;

    @Option(names = "--plan", paramLabel = "plan.json", description = "the plan the model was fused with")
    Path plan;

    FusionPlan plan() throws IOException {
      return spec != null ? FusionPlan.parse(spec) : PlanFile.read(plan);
    }
  }

  @Option(names = "--text", converter = ReadableFile.class, required = true,
      description = "calibration text (UTF-8), or pre-tokenized ids as JSON {\"ids\":[…]}")
  Path text;

  @Mixin
  ProgressOptions progress;

  @Option(names = {"-o", "--output"}, required = true,
      description = "the healed model: a folder for a checkpoint, a file ending in .onnx for ONNX")
  Path output;

  @Option(names = "--method", defaultValue = "lstsq", description = "lstsq (default) or distill")
  String method;

  @Option(names = "--tokens", defaultValue = "32768",
      description = "token vectors to collect per chain, 10%% of them held out (default: ${DEFAULT-VALUE})")
  int tokens;

  @Option(names = "--window", defaultValue = "256", description = "tokens per window (default: ${DEFAULT-VALUE})")
  int window;

  @Option(names = "--tokenizer", description = "tokenizer.json (default: the one in/beside the original model)")
  Path tokenizer;

  @Option(names = "--bos", description = "BOS token id prepended to each window (default: config bos_token_id)")
  Long bos;

  @Mixin
  ThreadsOption threads;

  @Option(names = "--lstsq-budget-mib", defaultValue = "4096",
      description = "memory for lstsq's normal equations, 2·width²·8 bytes (default: ${DEFAULT-VALUE})")
  long budgetMib;

  @Option(names = "--lambda", split = ",", paramLabel = "λ,…", hideParamSyntax = true,
      description = "lstsq: ridge strengths to try, relative to the mean diagonal of AᵀA (default 1e-3,1e-2,1e-1,1)")
  List<Double> lambdas;

  @Option(names = "--lr", description = "distill: Adam learning rate (default 3e-4)")
  Double learningRate;

  @Option(names = "--epochs", description = "distill: passes over the tokens at most (default 8)")
  Integer epochs;

  @Option(names = "--seed", description = "distill: seed of the mini-batch order (default 1234)")
  Long seed;

  @Override
  public Integer call() throws IOException, OrtException {
    OutputGuard.create().inputs(ModelPaths.inputs(original)).inputs(ModelPaths.inputs(fused)).input(text)
        .input(Optional.ofNullable(tokenizer)).input(Optional.ofNullable(chains.plan))
        .outputs(ModelPaths.outputs(output)).check();
    HealMethod m = switch (method.toLowerCase(Locale.ROOT)) {
      case "lstsq" -> HealMethod.LSTSQ;
      case "distill" -> HealMethod.DISTILL;
      default -> throw new IllegalArgumentException("--method must be lstsq or distill, got '" + method + "'");
    };
    if (m == HealMethod.DISTILL && Distillation.backend().isEmpty()) {
      throw new IllegalArgumentException(Distillation.HOW_TO_ENABLE);
    }
    LeastSquaresHealer.Options ls = LeastSquaresHealer.Options.defaults().withBudgetBytes(budgetMib << 20);
    if (lambdas != null) {
      ls = new LeastSquaresHealer.Options(ls.budgetBytes(), lambdas, ls.branchScales());
    }
    HealOptions o = HealOptions.defaults(m).withTokens(tokens).withThreads(threads.value()).withLstsq(ls);
    var d = o.distill();
    if (learningRate != null) {
      d = d.withLearningRate(learningRate);
    }
    if (epochs != null) {
      d = d.withMaxEpochs(epochs);
    }
    if (seed != null) {
      d = d.withSeed(seed);
    }
    o = o.withDistill(d);
    FusionPlan plan = chains.plan();
    Path dir = Files.isDirectory(original) ? original : original.toAbsolutePath().getParent();
    Optional<Long> b = Optional.ofNullable(bos);
    if (b.isEmpty() && Files.isRegularFile(dir.resolve("config.json"))) {
      var id = HfConfigReader.read(dir.resolve("config.json")).bosTokenId();
      b = id.isPresent() ? Optional.of((long) id.getAsInt()) : Optional.empty();
    }
    OptionalLong vocab = ModelVocab.of(original);
    if (bos != null) {
      ModelVocab.checkBos(bos, vocab, "--bos");
    }
    long[] ids;
    if (EvalTokens.isTokenFile(text)) {
      ids = EvalTokens.readIds(text, vocab);
    } else {
      Path tok = tokenizer != null ? tokenizer : dir.resolve("tokenizer.json");
      if (!Files.isRegularFile(tok)) {
        throw new IllegalArgumentException("no tokenizer.json in or beside " + original + "; give --tokenizer PATH");
      }
      if (b.isEmpty()) {
        throw new IllegalArgumentException("the BOS token id is unknown (no config.json bos_token_id); give --bos ID");
      }
      ids = EvalTokens.tokenize(text, tok, vocab);
    }
    long[][] windows = TokenWindows.cut(ids, b, window, tokens / window + 2);
    boolean bosFirst = b.isPresent();
    HealReport r = Healing.heal(original, fused, plan, windows, bosFirst, o, output,
        progress.quiet() ? line -> { } : System.err::println);
    System.out.print(table(r));
    System.err.println("heal: wrote " + output);
    return 0;
  }

  static String table(HealReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "heal (%s, %s): %d tokens per chain; collect %.1f s, fit %.1f s, write"
        + " %.1f s%n%n", r.method().cliName(), r.backend(), r.tokens(), r.collectSeconds(), r.fitSeconds(),
        r.writeSeconds()));
    sb.append("| chain | fused block | width | held-out rel. error before | after | what | seconds |\n");
    sb.append("|---|---:|---:|---:|---:|---|---:|\n");
    for (HealReport.Chain c : r.chains()) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %.4f | %s | %.1f |%n", c.chain(), c.fusedBlock(),
          c.width(), c.heldOutBefore(), c.heldOutAfter(), c.detail(), c.seconds()));
    }
    return sb.toString();
  }
}

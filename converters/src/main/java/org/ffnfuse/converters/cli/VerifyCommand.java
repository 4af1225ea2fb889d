package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.ModelVocab;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.verify.Verifier;
import org.ffnfuse.converters.verify.VerifyGates;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.converters.fuse.ModelPaths;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ffnfuse verify}: how close a fused model is to its original, and whether it deploys on CUDA. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Compare an original and a fused model on text: perplexity of both, KL(original‖fused), top-1",
        "agreement, logit errors; check CUDA-EP operator coverage and file integrity. Exits 1 past the thresholds."})
final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ORIGINAL", description = "checkpoint folder or .onnx file")
  Path original;

  @Parameters(index = "1", paramLabel = "FUSED", description = "checkpoint folder or .onnx file")
  Path fused;

  @Option(names = "--text", converter = ReadableFile.class, required = true,
      description = "evaluation text (UTF-8), or pre-tokenized ids as JSON {\"ids\":[…]}")
  Path text;

  @Option(names = "--tokenizer", description = "tokenizer.json (default: the one in/beside the original model)")
  Path tokenizer;

  @Option(names = "--bos", description = "BOS token id prepended to each window (default: config bos_token_id)")
  Long bos;

  @Option(names = "--window", defaultValue = "256", description = "tokens per window (default: ${DEFAULT-VALUE})")
  int window;

  @Option(names = "--windows", defaultValue = "64", description = "windows at most (default: ${DEFAULT-VALUE})")
  int windows;

  @Mixin
  ThreadsOption threads;

  @Option(names = "--max-ppl-increase", description = "fail if fused perplexity exceeds original by more (e.g. 0.05)")
  Double maxPplIncrease;

  @Option(names = "--max-kl", description = "fail if mean KL(original‖fused) is larger (nats/token)")
  Double maxKl;

  @Option(names = "--min-top1", description = "fail if top-1 agreement is lower (0..1)")
  Double minTop1;

  @Option(names = "--require-cuda", description = "fail unless both models run entirely on the CUDA EP")
  boolean requireCuda;

  @Mixin
  JsonOption json;

  @Mixin
  ProgressOptions progress;

  @Option(names = {"-o", "--output"}, description = "also write the JSON report here")
  Path output;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, OrtException {
    if (output != null) {
      OutputGuard.create().inputs(ModelPaths.inputs(original)).inputs(ModelPaths.inputs(fused)).input(text)
          .input(Optional.ofNullable(tokenizer)).output(output).check();
    }
    try (RunnableModel a = RunnableModel.open(original); RunnableModel b = RunnableModel.open(fused)) {
      long[][] w = windows(a);
      VerifyReport r;
      try (ProgressBars.Bar bar = progress.bars().bar("verify", w.length)) {
        r = Verifier.verify(a, b, w, threads.value(), bar::stepTo);
      }
      String js = toJson(r);
      if (output != null) {
        AtomicFiles.writeString(output, js);
      }
      spec.commandLine().getOut().print(json.json() ? js : table(r));
      spec.commandLine().getOut().flush();
      List<String> failures = failures(r);
      failures.forEach(f -> spec.commandLine().getErr().println("verify: FAILED: " + f));
      return failures.isEmpty() ? 0 : ErrorHandler.CHECK_FAILED;
    }
  }

  private long[][] windows(RunnableModel a) throws IOException {
    OptionalLong vocab = ModelVocab.of(a.source());
    if (bos != null) {
      ModelVocab.checkBos(bos, vocab, "--bos");
    }
    if (EvalTokens.isTokenFile(text)) {
      return TokenWindows.cut(EvalTokens.readIds(text, vocab), Optional.ofNullable(bos), window, windows);
    }
    Path tok = tokenizer != null ? tokenizer : a.tokenizer().orElseThrow(() -> new IllegalArgumentException(
        "no tokenizer.json in or beside " + a.source() + "; give --tokenizer PATH"));
    Long b = bos != null ? bos : a.bos().isPresent() ? Long.valueOf(a.bos().getAsLong()) : null;
    if (b == null) {
      throw new IllegalArgumentException("the BOS token id is unknown (no config.json bos_token_id); give --bos ID");
    }
    return TokenWindows.cut(EvalTokens.tokenize(text, tok, vocab), Optional.of(b), window, windows);
  }

  List<String> failures(VerifyReport r) {
    return new VerifyGates(optional(maxPplIncrease), optional(maxKl), optional(minTop1), requireCuda,
        VerifyGates.Spelling.CLI).failures(r);
  }

  private static OptionalDouble optional(Double d) {
    return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
  }

  static String toJson(VerifyReport r) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode n = m.valueToTree(r);
    n.put("perplexityIncrease", r.perplexityIncrease());
    return m.writeValueAsString(n) + "\n";
  }

  static String table(VerifyReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d windows, %d predicted tokens%n%n", r.windows(), r.tokens()));
    sb.append("| | original | fused |\n|---|---:|---:|\n");
    sb.append(String.format(Locale.ROOT, "| perplexity | %.3f | %.3f (%+.2f%%) |%n", r.original().perplexity(),
        r.fused().perplexity(), 100 * r.perplexityIncrease()));
    sb.append(String.format(Locale.ROOT, "| runs on CUDA EP | %s | %s |%n", r.original().cudaCompatible() ? "yes" : "no",
        r.fused().cudaCompatible() ? "yes" : "no"));
    sb.append(String.format(Locale.ROOT, "| files intact | %s | %s |%n",
        r.original().integrityProblems().isEmpty() ? "yes" : "NO", r.fused().integrityProblems().isEmpty() ? "yes"
            : "NO"));
    sb.append(String.format(Locale.ROOT, "%nKL(original‖fused) %.5f nats/token, top-1 agreement %.2f%%, logit error"
        + " max %.4f mean %.5f%n", r.kl(), 100 * r.top1(), r.maxAbsLogitError(), r.meanAbsLogitError()));
    r.nonFiniteLogits().forEach(n -> sb.append("non-finite output: ").append(n.describe()).append('\n'));
    return sb.toString();
  }
}

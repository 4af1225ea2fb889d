package org.ffnfuse.converters.cli;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.ffnfuse.converters.eval.EvalTokens;
import org.ffnfuse.converters.eval.ModelVocab;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.eval.TokenWindows;
import org.ffnfuse.converters.verify.Verifier;
import org.ffnfuse.converters.verify.VerifyReport;
import org.ffnfuse.formats.io.AtomicFiles;
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

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = its choice")
  int threads;

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

  @Override
  public Integer call() throws IOException, OrtException {
    try (RunnableModel a = RunnableModel.open(original); RunnableModel b = RunnableModel.open(fused)) {
      long[][] w = windows(a);
      VerifyReport r;
      try (ProgressBars.Bar bar = progress.bars().bar("verify", w.length)) {
        r = Verifier.verify(a, b, w, threads, bar::stepTo);
      }
      String js = toJson(r);
      if (output != null) {
        AtomicFiles.writeString(output, js);
      }
      System.out.print(json.json() ? js : table(r));
      List<String> failures = failures(r);
      failures.forEach(f -> System.err.println("verify: FAILED: " + f));
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
    List<String> out = new ArrayList<>();
    if (maxPplIncrease != null && r.perplexityIncrease() > maxPplIncrease) {
      out.add(String.format(Locale.ROOT, "perplexity increase %.4f > %.4f", r.perplexityIncrease(), maxPplIncrease));
    }
    if (maxKl != null && r.kl() > maxKl) {
      out.add(String.format(Locale.ROOT, "KL %.5f > %.5f", r.kl(), maxKl));
    }
    if (minTop1 != null && r.top1() < minTop1) {
      out.add(String.format(Locale.ROOT, "top-1 agreement %.4f < %.4f", r.top1(), minTop1));
    }
    if (requireCuda && !r.cudaCompatible()) {
      out.add("operators without CUDA kernels: original " + r.original().unsupportedOps() + ", fused "
          + r.fused().unsupportedOps());
    }
    r.original().integrityProblems().forEach(p -> out.add("original: " + p));
    r.fused().integrityProblems().forEach(p -> out.add("fused: " + p));
    return out;
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
    return sb.toString();
  }
}

package org.ffnfuse.converters.verify;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.ffnfuse.converters.eval.OrtCausalLm;
import org.ffnfuse.converters.eval.RunnableModel;
import org.ffnfuse.converters.export.CudaOperators;
import org.ffnfuse.formats.onnx.OnnxModel;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;

/** Runs an original and a fused model over the same token windows and compares them. */
public final class Verifier {
  private Verifier() {}

  /**
   * Compares {@code original} and {@code fused} on {@code windows}.
   *
   * @param threads ONNX Runtime intra-op threads (0: its choice)
   * @param progress called with the number of windows done
   * @throws IllegalArgumentException if the models cannot be compared: their tokenizer.json files differ (when both
   *     have one) or their logits have different vocabulary sizes
   */
  public static VerifyReport verify(RunnableModel original, RunnableModel fused, long[][] windows, int threads,
      IntConsumer progress) throws IOException, OrtException {
    requireSameTokenizer(original, fused);
    LogitComparison cmp = new LogitComparison();
    try (OrtCausalLm a = OrtCausalLm.open(original.onnx(), threads);
        OrtCausalLm b = OrtCausalLm.open(fused.onnx(), threads)) {
      for (int w = 0; w < windows.length; w++) {
        long[][] in = {windows[w]};
        float[][] la = a.logits(in)[0];
        float[][] lb = b.logits(in)[0];
        requireSameVocabulary(original, la, fused, lb);
        cmp.add(w, windows[w], la, lb);
        progress.accept(w + 1);
      }
    }
    ModelCheck o = check(original, cmp.perplexityOriginal());
    ModelCheck f = check(fused, cmp.perplexityFused());
    return new VerifyReport(o, f, cmp.meanKl(), cmp.top1(), cmp.maxAbs(), cmp.meanAbs(), cmp.predictions(),
        windows.length, o.cudaCompatible() && f.cudaCompatible(), cmp.nonFinite());
  }

  /** KL over different token ids compares unrelated distributions: refuse models whose tokenizers differ. */
  private static void requireSameTokenizer(RunnableModel original, RunnableModel fused) throws IOException {
    Optional<Path> a = original.tokenizer();
    Optional<Path> b = fused.tokenizer();
    if (a.isPresent() && b.isPresent() && !Arrays.equals(Files.readAllBytes(a.get()), Files.readAllBytes(b.get()))) {
      throw new IllegalArgumentException(String.format("%s and %s differ: the two models tokenize text differently,"
          + " so their next-token distributions cannot be compared (verify a fused model against its own original)",
          a.get(), b.get()));
    }
  }

  private static void requireSameVocabulary(RunnableModel original, float[][] a, RunnableModel fused, float[][] b) {
    if (a[0].length != b[0].length) {
      throw new IllegalArgumentException(String.format("%s has a vocabulary of %d (logits per position), %s of %d:"
          + " KL and top-1 need the same vocabulary (verify a fused model against its own original)",
          original.source(), a[0].length, fused.source(), b[0].length));
    }
  }

  private static ModelCheck check(RunnableModel m, double perplexity) throws IOException {
    List<String> problems = integrity(m.source());
    List<String> unsupported;
    try (OnnxModel onnx = OnnxModel.open(m.onnx())) {
      unsupported = CudaOperators.unsupported(onnx.proto());
    }
    return new ModelCheck(m.source().toString(), perplexity, unsupported.isEmpty(), unsupported, problems);
  }

  /**
   * Problems in a model's files: an ONNX model's external data (missing, short, out of range) or a checkpoint's
   * shards (index, sizes, offsets); empty when intact.
   */
  public static List<String> integrity(Path model) {
    List<String> problems = new ArrayList<>();
    try {
      if (Files.isDirectory(model)) {
        try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(model)) {
          ck.totalBytes();
        }
      } else {
        try (OnnxModel onnx = OnnxModel.open(model)) {
          onnx.initializerNames().forEach(onnx::initializer);
        }
      }
    } catch (IOException | RuntimeException e) {
      problems.add(e.getMessage());
    }
    return problems;
  }
}

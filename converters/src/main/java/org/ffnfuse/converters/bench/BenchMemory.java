package org.ffnfuse.converters.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.logging.Logger;
import org.ffnfuse.converters.inspect.ModelInspector;
import org.ffnfuse.converters.inspect.UnrecognizedModelException;
import org.ffnfuse.formats.config.AttentionConfig;
import org.ffnfuse.formats.config.BlockConfig;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.graph.structure.ModelSummary;

/**
 * Estimates the memory a benchmark run needs, so that {@code --batch 100000} or {@code --seq 1000000} is refused
 * before ONNX Runtime tries to allocate it. Per batch size, in fp32 bytes:
 *
 * <pre>
 *   4 · parameters                                   (the weights, as ONNX Runtime holds them)
 * + 4 · batch · seq · (8 · hidden + 3 · ffn + vocab) (residual stream, norms, q/k/v/attention output; the widest
 *                                                     FFN's gate, up and product; the logits)
 * + 4 · batch · seq² · (3 · heads + 1)               (attention scores, masked scores and probabilities per head;
 *                                                     the mask bias)
 * </pre>
 *
 * <p>A rough estimate (ONNX Runtime reuses buffers, but holds about these at once; fp16 weights take half). Dimensions
 * come from the model itself ({@link ModelInspector}); the head count from its {@code config.json} (in a checkpoint
 * folder, or beside an ONNX file), else {@code hidden / 16}: head size 16, the smallest in use, so that without a
 * config the estimate errs high rather than let ONNX Runtime exhaust the machine's memory.
 */
public final class BenchMemory {
  private static final Logger LOG = Logger.getLogger(BenchMemory.class.getName());
  private static final long FLOAT = 4;

  private BenchMemory() {}

  /** What the estimate needs to know about a model. */
  record Dims(long parameters, long hidden, long ffn, long vocab, long heads) {}

  /**
   * Refuses {@code config} on {@code model} if its largest batch is estimated to need more than {@code available}
   * bytes.
   *
   * @throws IllegalArgumentException naming the model, the estimate and the memory available
   */
  public static void requireFits(Path model, BenchConfig config, long available) throws IOException {
    OptionalLong need = estimate(model, config);
    if (need.isPresent() && need.getAsLong() > available) {
      int batch = config.batches().stream().max(Integer::compare).orElseThrow();
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: batch %d × sequence %d needs an estimated"
          + " %s (weights, activations, attention scores), but %s is available; choose a smaller --batch or --seq",
          model, batch, config.seqLen(), gib(need.getAsLong()), gib(available)));
    }
  }

  /** The estimate for the largest batch of {@code config}, bytes; empty if the graph is not recognized. */
  static OptionalLong estimate(Path model, BenchConfig config) throws IOException {
    Dims d;
    try {
      d = dims(model);
    } catch (UnrecognizedModelException e) {
      LOG.warning(() -> model + ": no memory estimate (" + e.getMessage() + ")");
      return OptionalLong.empty();
    }
    int batch = config.batches().stream().max(Integer::compare).orElseThrow();
    return OptionalLong.of(bytes(d, batch, config.seqLen()));
  }

  /** The estimate, bytes, saturating at {@link Long#MAX_VALUE} instead of overflowing. */
  static long bytes(Dims d, long batch, long seq) {
    double tokens = (double) batch * seq;
    double activations = FLOAT * tokens * (8 * d.hidden() + 3 * d.ffn() + d.vocab());
    double attention = FLOAT * tokens * seq * (3 * d.heads() + 1);
    double total = FLOAT * d.parameters() + activations + attention;
    return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total;
  }

  static Dims dims(Path model) throws IOException {
    ModelSummary s = ModelInspector.inspect(model);
    long ffn = s.blocks().stream().mapToLong(ModelSummary.BlockSummary::ffnWidth).max().orElse(0);
    return new Dims(s.parameters().total(), s.hidden(), ffn, s.vocab(), heads(model, s.hidden()));
  }

  private static long heads(Path model, long hidden) throws IOException {
    Path config = Files.isDirectory(model) ? model.resolve("config.json")
        : model.toAbsolutePath().resolveSibling("config.json");
    if (Files.isRegularFile(config)) {
      List<BlockConfig> blocks = HfConfigReader.read(config).blocks();
      return blocks.stream().map(BlockConfig::attention).mapToLong(AttentionConfig::numHeads).max().orElse(1);
    }
    return Math.max(1, hidden / 16);
  }

  /**
   * Memory available to a new allocation now: {@code MemAvailable} of {@code /proc/meminfo}, else the free physical
   * memory the JVM reports.
   */
  public static long available() throws IOException {
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.isReadable(meminfo)) {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    }
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getFreeMemorySize() : Long.MAX_VALUE;
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }
}

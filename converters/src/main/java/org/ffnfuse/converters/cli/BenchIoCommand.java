package org.ffnfuse.converters.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ffnfuse.formats.io.AtomicFiles;
import org.ffnfuse.formats.io.OutputGuard;
import org.ffnfuse.formats.safetensors.SafetensorsFile;
import org.ffnfuse.formats.safetensors.SafetensorsWriter;
import org.ffnfuse.formats.safetensors.TensorScan;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ffnfuse bench-io}: read throughput of safetensors tensors beside {@code cat file > /dev/null} on the same file.
 *
 * <p>Generates a file of {@code --size} bytes of pseudo-random BF16 tensors through {@link SafetensorsWriter} (or takes
 * {@code --input}), then {@code --repeat} times: runs {@code cat}, reads every tensor fully with
 * {@link Tensor#read} into one reused direct buffer, and converts every element to float with
 * {@link Tensor#toFloats(long, int)}. Throughput is in GB/s (10⁹ bytes per second) of file data. The page cache is not
 * dropped (that needs root and disturbs everything else on the machine): a freshly written file is usually resident,
 * which the report says, with the resident byte count from {@code fincore} where available.
 */
@Command(name = "bench-io", mixinStandardHelpOptions = true,
    description = "Times reading every tensor of a generated (or given) safetensors file, beside `cat file > /dev/null`.")
public final class BenchIoCommand implements Callable<Integer> {
  @Option(names = "--size", defaultValue = "4g",
      description = "size of the generated file: bytes, or with k/m/g/t suffix (binary units) (default: ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--dir", description = "folder for the generated file (default: a temporary folder)")
  Path dir;

  @Option(names = "--keep", description = "keep the generated file")
  boolean keep;

  @Option(names = "--input", description = "benchmark this existing .safetensors file instead of generating one")
  Path input;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
  Path json;

  @Option(names = "--repeat", defaultValue = "3", description = "timed runs of each method (default: ${DEFAULT-VALUE})")
  int repeat;

  @Option(names = "--tensor-mib", defaultValue = "64", description = "size of each generated tensor in MiB"
      + " (default: ${DEFAULT-VALUE})")
  int tensorMib;

  @Option(names = "--buffer-mib", defaultValue = "16", description = "direct read buffer in MiB (default: ${DEFAULT-VALUE})")
  int bufferMib;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** One timed run. */
  public record Run(double seconds, double gbPerSecond) {}

  /** All runs of one method over the same bytes. */
  public record Method(String method, String description, long bytes, List<Run> runs, double bestGbPerSecond,
      double medianGbPerSecond) {}

  /**
   * The whole report, as written by {@code --json}; {@code pageCacheResidentBytes} (absent without {@code fincore}) and
   * {@code generate} (absent with {@code --input}) are left out of the JSON when unknown.
   */
  public record Report(String file, long bytes, int tensors, boolean freshlyWritten, Long pageCacheResidentBytes,
      Method generate, List<Method> methods, Map<String, Object> machine) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchIoCommand()).setExecutionExceptionHandler(new ErrorHandler()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (repeat < 1 || tensorMib < 1 || bufferMib < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--repeat, --tensor-mib and --buffer-mib must be"
          + " positive");
    }
    if (json != null) {
      OutputGuard.create().input(Optional.ofNullable(input)).output(json).check();
    }
    boolean generated = input == null;
    boolean createdDir = generated && dir == null;
    Path work = !generated ? null : createdDir ? Files.createTempDirectory("ffnfuse-bench-io") : dir;
    Path file = generated ? work.resolve("bench-io.safetensors") : input;
    try {
      Method generate = null;
      if (generated) {
        long bytes = parseSize(size);
        out.printf("generating %s (%s) of BF16 tensors ...%n", file, human(bytes));
        out.flush();
        generate = generate(file, bytes);
      }
      OptionalLong resident = resident(file);
      List<Method> methods = measure(file, out);
      Report r;
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        r = new Report(file.toString(), Files.size(file), f.names().size(), generated,
            resident.isPresent() ? resident.getAsLong() : null, generate, methods, machine());
      }
      printTable(out, r);
      if (json != null) {
        AtomicFiles.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL).writeValueAsString(r) + "\n");
        out.println("wrote " + json);
      }
      return 0;
    } finally {
      if (generated && !keep) {
        Files.deleteIfExists(file);
        if (createdDir) {
          Files.deleteIfExists(work);
        }
      } else if (generated) {
        out.println("kept " + file);
      }
    }
  }

  /** "4g" → 4 GiB; plain numbers are bytes; k, m, g, t (optionally followed by b or ib) are binary units. */
  static long parseSize(String s) {
    Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?").matcher(s.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("--size '" + s + "' is not a size such as 4g, 512m or 1073741824");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    double v = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
    if (v < 2 || v > Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException("--size '" + s + "' is out of range (at least 2 bytes)");
    }
    return (long) v;
  }

  private Method generate(Path file, long bytes) throws IOException {
    long per = (long) tensorMib << 20;
    SafetensorsWriter w = SafetensorsWriter.builder(file).metadata(Map.of("format", "pt", "generator",
        "ffnfuse bench-io")).build();
    long left = bytes / 2 * 2;
    for (int i = 0; left > 0; i++) {
      long n = Math.min(per, left);
      Shape shape = n % 8192 == 0 ? Shape.of(n / 8192, 4096) : Shape.of(n / 2);
      w.add("layers." + i + ".weight", new RandomBf16Tensor(shape, 0x5EED + i));
      left -= n;
    }
    long t0 = System.nanoTime();
    w.write();
    double s = (System.nanoTime() - t0) / 1e9;
    long size = Files.size(file);
    return method("write", "SafetensorsWriter, streaming generated BF16, incl. fsync", size, List.of(s));
  }

  private List<Method> measure(Path file, PrintWriter out) throws IOException, InterruptedException {
    long size = Files.size(file);
    ByteBuffer buffer = ByteBuffer.allocateDirect(bufferMib << 20);
    List<Double> cat = new ArrayList<>();
    List<Double> read = new ArrayList<>();
    List<Double> conv = new ArrayList<>();
    long readBytes = 0;
    long convBytes = 0;
    for (int r = 1; r <= repeat; r++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder("cat", file.toString()).redirectOutput(new File("/dev/null"))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      int exit = p.waitFor();
      cat.add((System.nanoTime() - t0) / 1e9);
      if (exit != 0) {
        throw new IOException("cat " + file + " exited with " + exit);
      }
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        List<Tensor> tensors = f.names().stream().map(f::tensor).toList();
        t0 = System.nanoTime();
        readBytes = TensorScan.read(tensors, buffer).bytes();
        read.add((System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        convBytes = TensorScan.toFloats(tensors, 1 << 20).bytes();
        conv.add((System.nanoTime() - t0) / 1e9);
      }
      out.printf("run %d/%d: cat %.2f s, read %.2f s, toFloats %.2f s%n", r, repeat, cat.get(r - 1), read.get(r - 1),
          conv.get(r - 1));
      out.flush();
    }
    return List.of(
        method("cat", "cat FILE > /dev/null (whole file)", size, cat),
        method("read", "Tensor.read of every tensor into a reused " + bufferMib + " MiB direct buffer", readBytes, read),
        method("toFloats", "Tensor.toFloats of every float tensor, blocks of 2^20 elements (bytes = tensor bytes)",
            convBytes, conv));
  }

  private static Method method(String name, String description, long bytes, List<Double> seconds) {
    List<Run> runs = seconds.stream().map(s -> new Run(s, bytes / 1e9 / s)).toList();
    double[] g = runs.stream().mapToDouble(Run::gbPerSecond).sorted().toArray();
    double median = g.length % 2 == 1 ? g[g.length / 2] : (g[g.length / 2 - 1] + g[g.length / 2]) / 2;
    return new Method(name, description, bytes, runs, g[g.length - 1], median);
  }

  /** Bytes of {@code file} in the page cache, from util-linux {@code fincore}, if installed. */
  private static OptionalLong resident(Path file) {
    try {
      Process p = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
          .redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 && s.matches("\\d+") ? OptionalLong.of(Long.parseLong(s)) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  private static Map<String, Object> machine() {
    return Map.of("cpus", Runtime.getRuntime().availableProcessors(), "maxHeapBytes", Runtime.getRuntime().maxMemory(),
        "java", System.getProperty("java.version"), "os", System.getProperty("os.name") + " "
            + System.getProperty("os.version"));
  }

  private static void printTable(PrintWriter out, Report r) {
    out.printf("%nfile %s: %s, %d tensors, freshly written: %s, in page cache: %s%n", r.file(), human(r.bytes()),
        r.tensors(), r.freshlyWritten(), r.pageCacheResidentBytes() == null ? "unknown (no fincore)"
            : human(r.pageCacheResidentBytes()));
    if (r.generate() != null) {
      out.printf("generated in %.2f s (%.2f GB/s)%n", r.generate().runs().get(0).seconds(),
          r.generate().bestGbPerSecond());
    }
    StringBuilder head = new StringBuilder(String.format("%-9s %12s", "method", "bytes"));
    int n = r.methods().get(0).runs().size();
    for (int i = 1; i <= n; i++) {
      head.append(String.format(" %9s", "run" + i + " s"));
    }
    out.println(head.append(String.format(" %10s %12s", "best GB/s", "median GB/s")));
    for (Method m : r.methods()) {
      StringBuilder row = new StringBuilder(String.format("%-9s %12d", m.method(), m.bytes()));
      m.runs().forEach(x -> row.append(String.format(" %9.3f", x.seconds())));
      out.println(row.append(String.format(" %10.2f %12.2f", m.bestGbPerSecond(), m.medianGbPerSecond())));
    }
    out.flush();
  }

  private static String human(long bytes) {
    return bytes >= 1L << 30 ? String.format("%.2f GiB", bytes / (double) (1L << 30))
        : String.format("%.1f MiB", bytes / (double) (1 << 20));
  }

  /**
   * Deterministic pseudo-random BF16 values in ±[2⁻⁷, 2): each 8-byte word is splitmix64 of its index, masked to keep
   * sign, three exponent bits and the mantissa of each of its four values. Generated on the fly, never stored.
   */
  static final class RandomBf16Tensor implements Tensor {
    private static final long MASK = 0x83FF_83FF_83FF_83FFL;
    private static final long EXPONENT = 0x3C00_3C00_3C00_3C00L;
    private final Shape shape;
    private final long seed;

    RandomBf16Tensor(Shape shape, long seed) {
      this.shape = shape;
      this.seed = seed;
    }

    @Override
    public DType dtype() {
      return DType.BF16;
    }

    @Override
    public Shape shape() {
      return shape;
    }

    static long word(long seed, long index) {
      long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return ((z ^ (z >>> 31)) & MASK) | EXPONENT;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
      java.util.Objects.checkFromIndexSize(offset, dst.remaining(), byteSize());
      ByteBuffer d = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      long pos = offset;
      while (d.hasRemaining()) {
        if ((pos & 7) == 0 && d.remaining() >= 8) {
          d.putLong(word(seed, pos >>> 3));
          pos += 8;
        } else {
          d.put((byte) (word(seed, pos >>> 3) >>> ((pos & 7) * 8)));
          pos++;
        }
      }
      dst.position(d.position());
    }

    /** Generates into a 4 MiB direct buffer and writes it: as fast as the disk takes it. */
    @Override
    public void writeTo(WritableByteChannel out) throws IOException {
      ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
      long size = byteSize();
      for (long pos = 0; pos < size; ) {
        buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
        read(pos, buf);
        buf.flip();
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        pos += buf.limit();
      }
    }

    @Override
    public String toString() {
      return "RandomBf16Tensor" + shape + " seed " + seed;
    }
  }
}

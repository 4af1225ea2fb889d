package org.ffnfuse.converters.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.model.ExportModel;
import org.ffnfuse.formats.onnx.OnnxWriteOptions;
import org.ffnfuse.formats.safetensors.SafetensorsCheckpoint;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Fp16Overflow;

/**
 * Writes a transformed checkpoint model where the user asked: {@code *.onnx} → ONNX (any supported family),
 * anything else → a nemotron-nas checkpoint folder (Llama-family models only), sharded like the input. Both carry a
 * SHA-256 manifest ({@code NAME.manifest.json} beside an ONNX model, {@code ffnfuse-manifest.json} in a folder).
 */
public final class CheckpointOutput {
  private CheckpointOutput() {}

  /** Whether {@code out} names an ONNX file. */
  public static boolean isOnnx(Path out) {
    return out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  /**
   * Parses {@code --dtype}: {@code same} keeps {@code source}; for ONNX output a bf16 source becomes fp32 (ONNX
   * Runtime has no bf16 MatMul on CPU).
   */
  public static DType dtype(String option, DType source, boolean onnx) {
    DType d = switch (option.toLowerCase(Locale.ROOT)) {
      case "same" -> source;
      case "fp32", "f32", "float32" -> DType.F32;
      case "fp16", "f16", "float16" -> DType.F16;
      case "bf16", "bfloat16" -> DType.BF16;
      default -> throw new IllegalArgumentException("--dtype must be same, fp32, fp16 or bf16, got '" + option + "'");
    };
    if (onnx && d == DType.BF16) {
      if (!option.equalsIgnoreCase("same")) {
        throw new IllegalArgumentException("ONNX output supports fp32 and fp16 weights, not bf16");
      }
      return DType.F32;
    }
    return d;
  }

  /** The largest shard of {@code checkpoint} if it is sharded, else 0 (one file). */
  public static long shardSizeOf(SafetensorsCheckpoint checkpoint) throws IOException {
    if (checkpoint.shardFiles().size() <= 1) {
      return 0;
    }
    long max = 0;
    for (Path p : checkpoint.shardFiles()) {
      max = Math.max(max, Files.size(p));
    }
    return max;
  }

  /**
   * Writes {@code model}.
   *
   * @param sourceDir the input checkpoint folder (side files are copied from it)
   * @param shardBytes shard limit for checkpoint output (0: one file)
   */
  public static void write(ExportModel model, Path sourceDir, Path out, DType dtype, long shardBytes)
      throws IOException {
    write(model, sourceDir, out, dtype, shardBytes, Fp16Overflow.ERROR);
  }

  /**
   * Writes {@code model}; with fp16 weights, {@code fp16Overflow} says what a finite weight beyond ±65504 does (fail
   * naming the tensor, or clamp).
   */
  public static void write(ExportModel model, Path sourceDir, Path out, DType dtype, long shardBytes,
      Fp16Overflow fp16Overflow) throws IOException {
    if (isOnnx(out)) {
      OnnxExporter.export(model, out, ExportOptions.defaults().withWeightType(dtype)
          .withWrite(OnnxWriteOptions.defaults().withManifest(true).withFp16Overflow(fp16Overflow)));
    } else {
      Optional<String> why = NemotronNasCheckpointWriter.unsupported(model.config());
      if (why.isPresent()) {
        throw new IllegalArgumentException(why.get());
      }
      NemotronNasCheckpointWriter.write(model, sourceDir, out, dtype, shardBytes, fp16Overflow);
    }
  }
}

package org.ffnfuse.formats.onnx;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.Optional;
import org.ffnfuse.formats.tensor.Fp16Overflow;

/**
 * How {@link OnnxModelWriter} stores initializers: which go to the external data file, its name, and the alignment of
 * each tensor's offset in it.
 *
 * <p>Defaults follow {@code onnx.external_data_helper.convert_model_to_external_data}: initializers of at least
 * {@value #DEFAULT_THRESHOLD_BYTES} bytes go to one data file named {@code <model file name>.data}; offsets are
 * aligned to {@value #DEFAULT_ALIGNMENT} bytes (a page, so ONNX Runtime can map each tensor).
 *
 * @param externalData which initializers go to the data file
 * @param thresholdBytes for {@link ExternalData#BY_SIZE}: initializers of at least this many bytes are external
 * @param dataFileName the data file's name in the model's folder; empty for {@code <model file name>.data}
 * @param alignment every external tensor starts at a multiple of this many bytes
 * @param manifest also write a SHA-256 manifest of the model and data file beside them ({@code <model>.manifest.json},
 *     see {@code org.ffnfuse.formats.io.Manifest}); the files are hashed while they are written
 * @param fp16Overflow what a finite value beyond fp16's range does in an initializer computed into fp16: fail with a
 *     {@link org.ffnfuse.formats.ModelFormatException} naming the initializer (the default), or clamp
 */
public record OnnxWriteOptions(ExternalData externalData, long thresholdBytes, Optional<String> dataFileName,
    int alignment, boolean manifest, Fp16Overflow fp16Overflow) {
  /** Default size threshold for {@link ExternalData#BY_SIZE}, as in ONNX's Python helper. */
  public static final long DEFAULT_THRESHOLD_BYTES = 1024;
  /** Default offset alignment: one page. */
  public static final int DEFAULT_ALIGNMENT = 4096;

  /** Which initializers are written to the external data file. Empty tensors always stay in the proto. */
  public enum ExternalData {
    /** Those of at least {@link #thresholdBytes()} bytes. */
    BY_SIZE,
    /** All of them. */
    ALL,
    /** None: the model is one self-contained file, which must stay under protobuf's 2 GiB limit. */
    NONE
  }

  public OnnxWriteOptions {
    checkNotNull(externalData, "externalData");
    checkNotNull(dataFileName, "dataFileName");
    checkNotNull(fp16Overflow, "fp16Overflow");
    checkArgument(thresholdBytes >= 0, "thresholdBytes %s < 0", thresholdBytes);
    checkArgument(alignment >= 1, "alignment %s < 1", alignment);
    dataFileName.ifPresent(n -> checkArgument(!n.isEmpty() && !n.equals(".") && !n.equals("..")
            && n.indexOf('/') < 0 && n.indexOf('\\') < 0 && n.indexOf('\0') < 0,
        "dataFileName '%s' must be a plain file name (it is written beside the model)", n));
  }

  /** Initializers of at least 1024 bytes external, in {@code <model>.data}, aligned to 4096. */
  public static OnnxWriteOptions defaults() {
    return new OnnxWriteOptions(ExternalData.BY_SIZE, DEFAULT_THRESHOLD_BYTES, Optional.empty(), DEFAULT_ALIGNMENT,
        false, Fp16Overflow.ERROR);
  }

  /** Every non-empty initializer external. */
  public static OnnxWriteOptions allExternal() {
    return defaults().withExternalData(ExternalData.ALL);
  }

  /** Everything in the model file (no data file). */
  public static OnnxWriteOptions noExternal() {
    return defaults().withExternalData(ExternalData.NONE);
  }

  /** These options with another policy. */
  public OnnxWriteOptions withExternalData(ExternalData policy) {
    return new OnnxWriteOptions(policy, thresholdBytes, dataFileName, alignment, manifest, fp16Overflow);
  }

  /** {@link ExternalData#BY_SIZE} with this threshold in bytes. */
  public OnnxWriteOptions withThreshold(long bytes) {
    return new OnnxWriteOptions(ExternalData.BY_SIZE, bytes, dataFileName, alignment, manifest, fp16Overflow);
  }

  /** These options with data file {@code name}, a plain file name in the model's folder. */
  public OnnxWriteOptions withDataFileName(String name) {
    return new OnnxWriteOptions(externalData, thresholdBytes, Optional.of(name), alignment, manifest, fp16Overflow);
  }

  /** These options with external tensors starting at multiples of {@code bytes}. */
  public OnnxWriteOptions withAlignment(int bytes) {
    return new OnnxWriteOptions(externalData, thresholdBytes, dataFileName, bytes, manifest, fp16Overflow);
  }

  /** These options with or without a SHA-256 manifest beside the model. */
  public OnnxWriteOptions withManifest(boolean on) {
    return new OnnxWriteOptions(externalData, thresholdBytes, dataFileName, alignment, on, fp16Overflow);
  }

  /** These options with another fp16 overflow policy. */
  public OnnxWriteOptions withFp16Overflow(Fp16Overflow policy) {
    return new OnnxWriteOptions(externalData, thresholdBytes, dataFileName, alignment, manifest, policy);
  }

  /** Whether an initializer of {@code byteSize} bytes goes to the data file. */
  public boolean isExternal(long byteSize) {
    return byteSize > 0 && switch (externalData) {
      case ALL -> true;
      case NONE -> false;
      case BY_SIZE -> byteSize >= thresholdBytes;
    };
  }

  /** The data file's name for a model written to {@code modelFile}. */
  public String dataFileNameFor(Path modelFile) {
    return dataFileName.orElseGet(() -> modelFile.getFileName() + ".data");
  }
}

package org.ffnfuse.converters.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.ffnfuse.formats.onnx.OnnxWriteOptions;
import org.ffnfuse.formats.tensor.DType;

/**
 * How to export.
 *
 * @param weightType storage type of the large weights: F32 or F16 (activations, norms and softmax are fp32 either way)
 * @param kvCache add {@code past_key_values.{i}.key|value} inputs and {@code present.{i}.key|value} outputs
 * @param positionIds add a {@code position_ids} input (otherwise positions are {@code past .. past + seq − 1})
 * @param write external-data layout of the written file
 */
public record ExportOptions(DType weightType, boolean kvCache, boolean positionIds, OnnxWriteOptions write) {
  public ExportOptions {
    checkArgument(weightType == DType.F32 || weightType == DType.F16, "weight type must be F32 or F16, not %s",
        weightType);
    checkNotNull(write);
  }

  /** fp32 weights, no KV cache, no position_ids input, weights in {@code <model>.onnx.data}. */
  public static ExportOptions defaults() {
    return new ExportOptions(DType.F32, false, false, OnnxWriteOptions.defaults());
  }

  public ExportOptions withWeightType(DType t) {
    return new ExportOptions(t, kvCache, positionIds, write);
  }

  public ExportOptions withKvCache(boolean on) {
    return new ExportOptions(weightType, on, positionIds, write);
  }

  public ExportOptions withPositionIds(boolean on) {
    return new ExportOptions(weightType, kvCache, on, write);
  }

  public ExportOptions withWrite(OnnxWriteOptions w) {
    return new ExportOptions(weightType, kvCache, positionIds, w);
  }
}

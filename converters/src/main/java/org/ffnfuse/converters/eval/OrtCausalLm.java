package org.ffnfuse.converters.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An exported causal LM on ONNX Runtime (CPU): full-sequence logits, or step-by-step decoding with the KV cache when
 * the model has {@code past_key_values.*} inputs. Feeds {@code attention_mask} (ones, or the caller's for padded
 * batches) and, if declared, {@code position_ids} (counting only unmasked tokens, as Hugging Face's {@code generate}
 * does). {@link #close()} is idempotent; use after close throws {@link IllegalStateException}.
 */
public final class OrtCausalLm implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Path model;
  private final List<String> pastNames = new ArrayList<>();
  private final Map<String, long[]> pastShapes = new HashMap<>();
  private final boolean positionIds;
  private boolean closed;

  private OrtCausalLm(OrtEnvironment env, OrtSession session, Path model) throws OrtException {
    this.env = env;
    this.session = session;
    this.model = model;
    for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
      if (e.getKey().startsWith("past_key_values.")) {
        pastNames.add(e.getKey());
        pastShapes.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
      }
    }
    pastNames.sort(null);
    this.positionIds = session.getInputNames().contains("position_ids");
  }

  /**
   * Opens {@code model} with {@code threads} intra-op threads (external data resolves beside the file).
   *
   * @throws OrtException naming {@code model}, if ONNX Runtime rejects it or runs out of memory
   */
  public static OrtCausalLm open(Path model, int threads) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      return new OrtCausalLm(env, env.createSession(model.toString(), o), model);
    } catch (OrtException e) {
      throw OrtErrors.naming(model, e);
    }
  }

  /** Whether the model takes a KV cache. */
  public boolean hasKvCache() {
    return !pastNames.isEmpty();
  }

  /** Logits {@code [batch][seq][vocab]} of a full forward pass (empty cache if the model has one). */
  public float[][][] logits(long[][] ids) throws OrtException {
    return step(ids, newCache(ids.length));
  }

  /**
   * Logits {@code [batch][seq][vocab]} of a padded batch: {@code attentionMask [batch][seq]} is 1 on real tokens and 0
   * on padding (left or right). Real tokens get the logits they would get unpadded when the model takes
   * {@code position_ids} or uses rotary (relative) positions; a model with absolute position embeddings and no
   * {@code position_ids} input sees left-padded tokens at shifted positions.
   *
   * @throws IllegalArgumentException if the mask's shape differs from the ids' or it holds values other than 0 and 1
   */
  public float[][][] logits(long[][] ids, long[][] attentionMask) throws OrtException {
    checkArgument(attentionMask.length == ids.length, "mask of %s rows for %s", attentionMask.length, ids.length);
    for (int r = 0; r < ids.length; r++) {
      checkArgument(attentionMask[r].length == ids[r].length, "mask row %s has %s entries for %s tokens", r,
          attentionMask[r].length, ids[r].length);
      for (long m : attentionMask[r]) {
        checkArgument(m == 0 || m == 1, "attention mask values are 0 or 1, found %s", m);
      }
    }
    return run(ids, attentionMask, newCache(ids.length));
  }

  /** An empty cache for {@code batch} sequences. */
  public KvCache newCache(int batch) {
    checkState(!closed, "closed");
    Map<String, float[]> values = new HashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    for (String n : pastNames) {
      long[] s = pastShapes.get(n).clone();
      s[0] = batch;
      s[2] = 0;
      shapes.put(n, s);
      values.put(n, new float[0]);
    }
    return new KvCache(0, values, shapes);
  }

  /**
   * Runs {@code ids [batch][seq]} after the tokens already in {@code cache} and returns their logits; the cache is
   * advanced by {@code seq} positions.
   *
   * @throws OrtException naming the model, if ONNX Runtime cannot run it (out of memory, an id outside the
   *     vocabulary)
   */
  public float[][][] step(long[][] ids, KvCache cache) throws OrtException {
    checkState(!closed, "closed");
    long[][] mask = new long[ids.length][(int) (cache.length + ids[0].length)];
    for (long[] row : mask) {
      java.util.Arrays.fill(row, 1);
    }
    return run(ids, mask, cache);
  }

  /** One run with {@code mask [batch][past + seq]}; advances {@code cache}. */
  private float[][][] run(long[][] ids, long[][] mask, KvCache cache) throws OrtException {
    checkState(!closed, "closed");
    int b = ids.length;
    int s = ids[0].length;
    checkArgument(s > 0, "empty input");
    long past = cache.length;
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      Map<String, OnnxTensor> in = new HashMap<>();
      in.put("input_ids", own(owned, longs(ids), new long[] {b, s}));
      in.put("attention_mask", own(owned, longs(mask), new long[] {b, past + s}));
      if (positionIds) {
        in.put("position_ids", own(owned, longs(positions(mask, s)), new long[] {b, s}));
      }
      for (String n : pastNames) {
        in.put(n, own(owned, FloatBuffer.wrap(cache.values.get(n)), cache.shapes.get(n)));
      }
      try (OrtSession.Result r = session.run(in)) {
        float[][][] logits = (float[][][]) r.get("logits").orElseThrow().getValue();
        for (String n : pastNames) {
          String present = n.replace("past_key_values.", "present.");
          OnnxValue v = r.get(present).orElseThrow();
          OnnxTensor t = (OnnxTensor) v;
          FloatBuffer fb = t.getFloatBuffer();
          float[] copy = new float[fb.remaining()];
          fb.get(copy);
          cache.values.put(n, copy);
          cache.shapes.put(n, t.getInfo().getShape());
        }
        cache.length = past + s;
        return logits;
      }
    } catch (OrtException e) {
      throw OrtErrors.naming(model, e);
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  /**
   * Position of each of the last {@code s} tokens: the number of unmasked tokens before it (padding gets 1, as
   * Hugging Face's {@code generate} fills it; its logits are not used). With a mask of ones: {@code past .. past+s−1}.
   */
  private static long[][] positions(long[][] mask, int s) {
    long[][] pos = new long[mask.length][s];
    for (int r = 0; r < mask.length; r++) {
      long seen = 0;
      int first = mask[r].length - s;
      for (int i = 0; i < mask[r].length; i++) {
        seen += mask[r][i];
        if (i >= first) {
          pos[r][i - first] = mask[r][i] == 0 ? 1 : seen - 1;
        }
      }
    }
    return pos;
  }

  private OnnxTensor own(List<OnnxTensor> owned, java.nio.Buffer data, long[] shape) throws OrtException {
    OnnxTensor t = data instanceof LongBuffer lb ? OnnxTensor.createTensor(env, lb, shape)
        : OnnxTensor.createTensor(env, (FloatBuffer) data, shape);
    owned.add(t);
    return t;
  }

  private static LongBuffer longs(long[][] rows) {
    LongBuffer b = LongBuffer.allocate(rows.length * rows[0].length);
    for (long[] r : rows) {
      b.put(r);
    }
    return b.flip();
  }

  @Override
  public void close() throws OrtException {
    if (!closed) {
      closed = true;
      session.close();
    }
  }

  /** The key/value cache of a decoding run (copies in heap). */
  public static final class KvCache {
    private long length;
    private final Map<String, float[]> values;
    private final Map<String, long[]> shapes;

    private KvCache(long length, Map<String, float[]> values, Map<String, long[]> shapes) {
      this.length = length;
      this.values = values;
      this.shapes = shapes;
    }

    /** Tokens cached so far. */
    public long length() {
      return length;
    }
  }
}

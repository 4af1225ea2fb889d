package org.ffnfuse.converters.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.ffnfuse.converters.export.ExportOptions;
import org.ffnfuse.converters.export.OnnxExporter;
import org.ffnfuse.converters.export.families.FamilyLayout;
import org.ffnfuse.converters.export.families.TensorLookup;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.config.ModelConfig;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;

/**
 * A 2-block Llama (hidden 8) whose logits have a closed form: every {@code o_proj} and {@code down_proj} is zero, so
 * no block changes the residual stream and the logits at a position depend on its token alone,
 * {@code lm_head · rmsnorm(embed[token]) ⊙ norm}. {@link #logits} computes them in double, independently of the
 * exporter and ONNX Runtime. Seeded weights; one embedding row can be made NaN.
 */
final class TinyLlama {
  static final int HIDDEN = 8;
  static final long BOS = 1;
  private static final double EPS = 1e-5;

  private final int vocab;
  private final float[][] embed;
  private final float[][] lmHead;
  private final float[] norm;

  /** Weights drawn from {@code seed}; logits of spread about ±3 so that KL is far from 0 between two seeds. */
  TinyLlama(int vocab, long seed) {
    this.vocab = vocab;
    SplittableRandom r = new SplittableRandom(seed);
    embed = new float[vocab][HIDDEN];
    lmHead = new float[vocab][HIDDEN];
    norm = new float[HIDDEN];
    for (int v = 0; v < vocab; v++) {
      for (int h = 0; h < HIDDEN; h++) {
        embed[v][h] = (float) r.nextGaussian();
        lmHead[v][h] = (float) r.nextGaussian();
      }
    }
    for (int h = 0; h < HIDDEN; h++) {
      norm[h] = (float) (1 + 0.1 * r.nextGaussian());
    }
  }

  /** The logits after {@code token} in double (the graph computes them in fp32). */
  double[] logits(int token) {
    double ms = 0;
    for (float e : embed[token]) {
      ms += (double) e * e / HIDDEN;
    }
    double inv = 1 / Math.sqrt(ms + EPS);
    double[] out = new double[vocab];
    for (int v = 0; v < vocab; v++) {
      for (int h = 0; h < HIDDEN; h++) {
        out[v] += lmHead[v][h] * (embed[token][h] * inv * norm[h]);
      }
    }
    return out;
  }

  /** Exports the model as fp32 ONNX to {@code out}; {@code nanToken}'s embedding row is NaN if present. */
  Path export(Path out, OptionalInt nanToken) throws Exception {
    ObjectNode n = new ObjectMapper().createObjectNode().put("model_type", "llama").put("hidden_size", HIDDEN)
        .put("num_hidden_layers", 2).put("num_attention_heads", 2).put("num_key_value_heads", 1)
        .put("intermediate_size", 16).put("vocab_size", vocab).put("max_position_embeddings", 64)
        .put("rms_norm_eps", EPS).put("bos_token_id", BOS).put("tie_word_embeddings", false);
    n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 10000.0);
    ModelConfig c = HfConfigReader.parse(n, out.resolveSibling("config.json"));
    TensorLookup t = TensorLookup.generated(Path.of("tiny-llama"), c.family().modelType(),
        (name, dims) -> Optional.of(HeapTensor.ofFloats(Shape.of(dims), weight(name, dims, nanToken))));
    OnnxExporter.export(FamilyLayout.forConfig(c).load(c, t), out, ExportOptions.defaults());
    return out;
  }

  private float[] weight(String name, long[] dims, OptionalInt nanToken) {
    float[] v = new float[(int) Shape.of(dims).elementCount()];
    if (name.equals("model.embed_tokens.weight")) {
      copyRows(embed, v);
      nanToken.ifPresent(tok -> java.util.Arrays.fill(v, tok * HIDDEN, (tok + 1) * HIDDEN, Float.NaN));
    } else if (name.equals("lm_head.weight")) {
      copyRows(lmHead, v);
    } else if (name.equals("model.norm.weight")) {
      System.arraycopy(norm, 0, v, 0, HIDDEN);
    } else if (name.contains("norm")) {
      java.util.Arrays.fill(v, 1);
    } else if (!name.contains("o_proj") && !name.contains("down_proj")) {
      SplittableRandom r = new SplittableRandom(name.hashCode());
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (0.3 * r.nextGaussian());
      }
    }
    return v;
  }

  private static void copyRows(float[][] rows, float[] out) {
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
    }
  }
}

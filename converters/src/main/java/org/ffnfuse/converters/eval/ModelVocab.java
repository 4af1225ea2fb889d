package org.ffnfuse.converters.eval;

import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.HfConfigReader;
import org.ffnfuse.formats.onnx.OnnxModel;

/**
 * A model's vocabulary size, to check token ids before ONNX Runtime sees them (its {@code Gather} reads id {@code -1}
 * as the last row and fails on ids past the end): {@code vocab_size} of the checkpoint's {@code config.json} (or of
 * the one beside an {@code .onnx} file), else the static last dimension of the ONNX graph's logits output.
 */
public final class ModelVocab {
  private ModelVocab() {}

  /** The vocabulary size of {@code model} (checkpoint folder or {@code .onnx} file), if it can be told. */
  public static OptionalLong of(Path model) throws IOException {
    Path dir = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
    if (Files.isRegularFile(dir.resolve("config.json"))) {
      return OptionalLong.of(HfConfigReader.read(dir).vocabSize());
    }
    if (!Files.isRegularFile(model)) {
      return OptionalLong.empty();
    }
    try (OnnxModel m = OnnxModel.open(model)) {
      for (ValueInfoProto out : m.proto().getGraph().getOutputList()) {
        if (out.getName().equals("logits") && out.getType().hasTensorType()) {
          TensorShapeProto s = out.getType().getTensorType().getShape();
          int n = s.getDimCount();
          return n > 0 && s.getDim(n - 1).getDimValue() > 0 ? OptionalLong.of(s.getDim(n - 1).getDimValue())
              : OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * Checks that every id of {@code ids}, read from {@code source} (a {@code {"ids":[…]}} file, or the tokenizer that
   * produced them), is a token of a vocabulary of {@code vocab} (nothing to check when it is unknown).
   *
   * @throws ModelFormatException naming {@code source}, the first bad id and the vocabulary size
   */
  public static void checkIds(long[] ids, OptionalLong vocab, Path source) throws ModelFormatException {
    if (vocab.isEmpty()) {
      return;
    }
    long n = vocab.getAsLong();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= n) {
        throw new ModelFormatException(source, "token id " + ids[i] + " (ids[" + i + "]) is outside the model's"
            + " vocabulary of " + n + " tokens (ids 0.." + (n - 1) + "); the ids or the tokenizer do not belong to"
            + " this model");
      }
    }
  }

  /**
   * Checks a BOS id given on the command line.
   *
   * @throws IllegalArgumentException naming {@code option} and the vocabulary size if {@code bos} is not a token
   */
  public static void checkBos(long bos, OptionalLong vocab, String option) {
    if (bos < 0 || bos >= vocab.orElse(Long.MAX_VALUE)) {
      throw new IllegalArgumentException(option + " " + bos + " is not a token id: "
          + (vocab.isPresent() ? "the model's vocabulary has " + vocab.getAsLong() + " tokens (ids 0.."
              + (vocab.getAsLong() - 1) + ")" : "ids are non-negative"));
    }
  }
}

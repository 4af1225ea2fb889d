package org.ffnfuse.converters.eval;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model's {@code tokenizer.json} (DJL's binding of Hugging Face tokenizers), encoding text without special tokens
 * and without truncation; callers add BOS themselves. {@link #close()} is idempotent.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private boolean closed;

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Loads {@code tokenizerJsonOrDir} ({@code tokenizer.json}, or a folder holding it). */
  public static TextTokenizer open(Path tokenizerJsonOrDir) throws IOException {
    Path file = Files.isDirectory(tokenizerJsonOrDir) ? tokenizerJsonOrDir.resolve("tokenizer.json")
        : tokenizerJsonOrDir;
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "no tokenizer.json");
    }
    return new TextTokenizer(HuggingFaceTokenizer.newInstance(file,
        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false")));
  }

  /** Token ids of {@code text}, no special tokens added. */
  public long[] encode(String text) {
    if (closed) {
      throw new IllegalStateException("tokenizer closed");
    }
    return tokenizer.encode(text, false, false).getIds();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tokenizer.close();
    }
  }
}

package org.ffnfuse.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target for ONNX loading: {@code model.onnx} bytes (parsed from memory, as if read from a file) beside a fixed
 * {@code model.onnx.data}. Every input must open
 * with every initializer readable, or be refused with a {@link ModelFormatException}; any other exception is a
 * finding. To fuzz: {@code JAZZER_FUZZ=1 mvn -pl formats test -Dtest='OnnxModelFuzzTest'}.
 */
class OnnxModelFuzzTest {
  /** Initializers larger than this are read but not converted (a fuzzed dims field can be large but sparse). */
  private static final long MAX_CONVERTED_BYTES = 1 << 20;

  @TempDir Path dir;

  @BeforeEach
  void writeDataFile() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("fuzz-model.onnx.data")) {
      Files.write(dir.resolve("model.onnx.data"), in.readAllBytes());
    }
  }

  @FuzzTest(maxDuration = "10s")
  void onnxModel(byte[] data) throws IOException {
    // Parsed from memory as if read from dir/model.onnx: writing and mapping a file per input cost 50x the parse.
    Path f = dir.resolve("model.onnx");
    try (OnnxModel m = OnnxModel.open(f, ByteBuffer.wrap(data))) {
      for (String n : m.initializerNames()) {
        Tensor t = m.initializer(n);
        m.isExternal(n);
        if (t.byteSize() <= MAX_CONVERTED_BYTES) {
          t.read(0, ByteBuffer.allocate((int) t.byteSize()));
          if (t.dtype().convertsToFloat()) {
            assertEquals(t.shape().elementCount(), t.toFloats().length);
          }
        }
      }
    } catch (ModelFormatException e) {
      assertEquals(f, e.file());
      assertFalse(e.getMessage().isBlank());
    }
  }
}

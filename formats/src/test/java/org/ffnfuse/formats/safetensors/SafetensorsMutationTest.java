package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short seeded mutation run over a valid file (byte flips in the header, random length fields, truncation): every
 * outcome is either a file that opens and reads in full or a {@link ModelFormatException} naming the file; never another
 * exception. (The long run is Jazzer's, see issue 9.)
 */
class SafetensorsMutationTest {
  @TempDir Path dir;

  @Test
  void open_mutatedFiles_succeedOrFailWithModelFormatException() throws IOException {
    Path valid = dir.resolve("valid.safetensors");
    SafetensorsWriter w = SafetensorsWriter.builder(valid).metadata(Map.of("format", "pt")).build();
    int i = 0;
    for (DType t : DType.values()) {
      w.add("layer." + i++ + ".w", SafetensorsWriterTest.bytes(t, 2, 3));
    }
    w.write();
    byte[] good = Files.readAllBytes(valid);
    int headerEnd = 8 + (int) ByteBuffer.wrap(good, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    Random rnd = new Random(20260111);
    Path f = dir.resolve("mutant.safetensors");
    int opened = 0;
    int rejected = 0;
    for (int run = 0; run < 1000; run++) {
      byte[] b = good.clone();
      switch (rnd.nextInt(4)) {
        case 0 -> b[8 + rnd.nextInt(headerEnd - 8)] = (byte) rnd.nextInt(256);
        case 1 -> b[8 + rnd.nextInt(headerEnd - 8)] = (byte) "{}[]\",:0123456789-.eE \\u".charAt(rnd.nextInt(24));
        case 2 -> b[rnd.nextInt(8)] = (byte) rnd.nextInt(256);
        default -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      }
      Files.write(f, b);
      try (SafetensorsFile sf = SafetensorsFile.open(f)) {
        for (String n : sf.names()) {
          Tensor t = sf.tensor(n);
          t.read(0, ByteBuffer.allocate((int) t.byteSize()));
        }
        opened++;
      } catch (ModelFormatException e) {
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        rejected++;
      }
    }
    assertTrue(opened > 0 && rejected > 0, "opened " + opened + ", rejected " + rejected);
  }
}

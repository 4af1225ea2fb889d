package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;

/** Whatever is written (any dtype, any shape incl. scalars and empty tensors, any sharding) reads back equal. */
class SafetensorsWriterPropertyTest {
  /** One random tensor: dtype, shape and the seed of its bytes. */
  record Spec(DType dtype, List<Long> dims, long seed) {
    HeapTensor tensor() {
      Shape s = Shape.copyOf(dims);
      byte[] b = new byte[Math.toIntExact(s.elementCount() * dtype.byteSize())];
      new Random(seed).nextBytes(b);
      return HeapTensor.ofBytes(dtype, s, b);
    }
  }

  @Provide
  Arbitrary<List<Spec>> checkpoints() {
    Arbitrary<List<Long>> dims = Arbitraries.longs().between(0, 9).list().ofMaxSize(4);
    Arbitrary<Spec> spec = Combinators.combine(Arbitraries.of(DType.class), dims, Arbitraries.longs())
        .as(Spec::new);
    return spec.list().ofMaxSize(12);
  }

  @Property(tries = 60, seed = "20260111")
  void write_thenRead_sameNamesDtypesShapesAndBytes(@ForAll("checkpoints") List<Spec> specs,
      @ForAll("shardSizes") long maxShardBytes, @ForAll("metadata") Map<String, String> metadata)
      throws IOException {
    Path dir = Files.createTempDirectory("st-prop");
    try {
      SafetensorsWriter w = SafetensorsWriter.builder(dir).maxShardBytes(maxShardBytes).metadata(metadata).build();
      for (int i = 0; i < specs.size(); i++) {
        w.add("t" + i + ".w", specs.get(i).tensor());
      }
      w.write();
      try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
        assertEquals(specs.size(), c.names().size());
        long total = 0;
        for (int i = 0; i < specs.size(); i++) {
          HeapTensor want = specs.get(i).tensor();
          Tensor got = c.tensor("t" + i + ".w");
          assertEquals(want.dtype(), got.dtype());
          assertEquals(want.shape(), got.shape());
          assertArrayEquals(bytes(want), bytes(got));
          if (want.dtype().convertsToFloat()) {
            assertArrayEquals(want.toFloats(), got.toFloats());
          }
          total += want.byteSize();
        }
        assertEquals(total, c.totalBytes());
        assertEquals(metadata, c.metadata());
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Provide
  Arbitrary<Long> shardSizes() {
    return Arbitraries.oneOf(Arbitraries.just(Long.MAX_VALUE), Arbitraries.longs().between(1, 4096));
  }

  @Provide
  Arbitrary<Map<String, String>> metadata() {
    Arbitrary<String> s = Arbitraries.strings().alpha().numeric().withChars("é\"\\\n\u0001 ").ofMaxLength(6);
    return Arbitraries.maps(s, s).ofMaxSize(3);
  }

  private static byte[] bytes(Tensor t) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteSize()));
    t.read(0, b);
    return b.array();
  }
}

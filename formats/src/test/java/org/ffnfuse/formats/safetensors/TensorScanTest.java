package org.ffnfuse.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.ffnfuse.formats.tensor.DType;
import org.ffnfuse.formats.tensor.HeapTensor;
import org.ffnfuse.formats.tensor.Shape;
import org.ffnfuse.formats.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TensorScanTest {
  private static final HeapTensor F32 = HeapTensor.ofFloats(Shape.of(5), new float[] {1, 2, 3, 4, 5});
  private static final HeapTensor BF16 = HeapTensor.ofFloats(DType.BF16, Shape.of(3), new float[] {10, 20, 30});
  private static final HeapTensor I64 = HeapTensor.ofLongs(Shape.of(2), new long[] {7, 8});

  @Test
  void read_smallBuffer_readsEveryByteOfEveryTensor() throws IOException {
    List<Tensor> all = List.of(F32, BF16, I64);
    TensorScan.Result r = TensorScan.read(all, ByteBuffer.allocateDirect(8));
    assertEquals(20 + 6 + 16, r.bytes());
    assertEquals(0, r.elements());
    // First byte of each 8-byte piece: F32 pieces at 0, 8, 16 (1.0f = 00 00 80 3f → 0, 3.0f → 0, 5.0f → 0);
    // BF16 one piece (10 = 0x4120 → 0x20); I64 pieces 7, 8.
    assertEquals(0x20 + 7 + 8, r.checksum());
  }

  @Test
  void toFloats_blocks_convertsFloatTensorsAndSkipsOthers() throws IOException {
    TensorScan.Result r = TensorScan.toFloats(List.of(F32, I64, BF16), 2);
    assertEquals(5 + 3, r.elements());
    assertEquals(20 + 6, r.bytes());
    // Blocks of 2: F32 [1,2] [3,4] [5] and BF16 [10,20] [30]: first + last of each.
    assertEquals((1 + 2) + (3 + 4) + (5 + 5) + (10 + 20) + (30 + 30), r.checksum());
  }

  @Test
  void read_bufferUnder8Bytes_throws() {
    assertThrows(IllegalArgumentException.class, () -> TensorScan.read(List.of(F32), ByteBuffer.allocate(4)));
  }
}

package org.ffnfuse.converters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OrtErrorsTest {
  @Test
  void kind_allocationOrDeviceFailures_resource_restRejected() {
    assertEquals(OrtErrors.Kind.RESOURCE, OrtErrors.kind(new OrtException(OrtErrorCode.ORT_RUNTIME_EXCEPTION,
        "bfc_arena.cc:359 Failed to allocate memory for requested buffer of size 17592186044416")));
    assertEquals(OrtErrors.Kind.RESOURCE, OrtErrors.kind(new OrtException(OrtErrorCode.ORT_EP_FAIL, "CUDA failure")));
    assertEquals(OrtErrors.Kind.REJECTED, OrtErrors.kind(new OrtException(OrtErrorCode.ORT_INVALID_PROTOBUF,
        "Protobuf parsing failed.")));
    assertEquals(OrtErrors.Kind.REJECTED, OrtErrors.kind(new OrtException(OrtErrorCode.ORT_INVALID_ARGUMENT,
        "indices element out of data bounds, idx=512 must be within the inclusive range [-512,511]")));
  }

  @Test
  void naming_prefixesTheFileOnce_keepsCodeAndCause() {
    OrtException e = new OrtException(OrtErrorCode.ORT_INVALID_GRAPH, "bad graph");
    OrtException named = OrtErrors.naming(Path.of("m.onnx"), e);
    assertEquals("m.onnx: bad graph", OrtErrors.message(named));
    assertEquals(OrtErrorCode.ORT_INVALID_GRAPH, named.getCode());
    assertSame(e, named.getCause());
    assertSame(named, OrtErrors.naming(Path.of("m.onnx"), named));
  }
}

package org.ffnfuse.graph.testing;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ffnfuse.graph.ir.Graph;
import org.ffnfuse.graph.ir.InvalidGraphException;

/**
 * Test-only ONNX loading (graph-rewrite has no file I/O in main code). Parses the protobuf with the size limit raised;
 * external data is not read (recognition needs only the dims and dtypes every TensorProto carries).
 */
public final class OnnxFiles {
  private OnnxFiles() {}

  public static ModelProto read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      return ModelProto.parseFrom(c);
    }
  }

  public static Graph graph(Path file) throws IOException, InvalidGraphException {
    return Graph.of(read(file));
  }
}

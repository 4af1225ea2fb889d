package org.ffnfuse.converters.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** A fixture's {@code reference.json}: input ids and last-position logits, one sequence or a batch. */
record ReferenceLogits(long[][] inputIds, float[][] lastLogits) {
  static ReferenceLogits read(Path modelDir) throws IOException {
    JsonNode n = new ObjectMapper().readTree(modelDir.resolve("reference.json").toFile());
    JsonNode ids = n.get("input_ids");
    JsonNode last = n.get("last_logits");
    boolean batched = ids.get(0).isArray();
    int b = batched ? ids.size() : 1;
    long[][] outIds = new long[b][];
    float[][] outLast = new float[b][];
    for (int i = 0; i < b; i++) {
      JsonNode row = batched ? ids.get(i) : ids;
      JsonNode lrow = batched ? last.get(i) : last;
      outIds[i] = new long[row.size()];
      for (int j = 0; j < outIds[i].length; j++) {
        outIds[i][j] = row.get(j).asLong();
      }
      outLast[i] = new float[lrow.size()];
      for (int j = 0; j < outLast[i].length; j++) {
        outLast[i][j] = (float) lrow.get(j).asDouble();
      }
    }
    return new ReferenceLogits(outIds, outLast);
  }
}

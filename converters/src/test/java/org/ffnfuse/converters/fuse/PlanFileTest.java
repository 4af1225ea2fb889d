package org.ffnfuse.converters.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.graph.fusion.ChainRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanFileTest {
  @TempDir Path dir;

  @Test
  void read_plan_givesChains() throws IOException {
    Path f = Files.writeString(dir.resolve("plan.json"), "{\"chains\":[{\"first\":8,\"last\":13}],\"note\":\"x\"}");
    assertEquals(List.of(new ChainRange(8, 13)), PlanFile.read(f).chains());
  }

  /** Last-one-wins would fuse 10-12, which the file also says not to; the plan is ambiguous and refused. */
  @Test
  void read_duplicateKeyInChain_failsNamingKeyAndLine() throws IOException {
    Path f = Files.writeString(dir.resolve("plan.json"),
        "{\"chains\": [\n  {\"first\": 8, \"last\": 13, \"first\": 10}\n]}\n");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> PlanFile.read(f));
    assertEquals(f + ": key 'first' appears twice in one object (the second time at line 2 column 35); keys must be"
        + " unique, remove one", e.getMessage());
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.junit.jupiter.api.Test;

class Phi3ParserTest {
  @Test
  void parse_partialRotaryTopLevel_transformers4() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("phi3", Style.TRANSFORMERS_4);
    n.put("partial_rotary_factor", 0.5);
    ModelConfig c = TinyConfigs.parse(n);
    assertEquals(8, c.rope().orElseThrow().rotaryDim());
    assertEquals(1e-5, c.norm().eps());
  }

  @Test
  void parse_partialRotaryInRopeParameters_transformers5() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("phi3", Style.TRANSFORMERS_5);
    ((ObjectNode) n.get("rope_parameters")).put("partial_rotary_factor", 0.75);
    assertEquals(12, TinyConfigs.parse(n).rope().orElseThrow().rotaryDim());
  }

  @Test
  void parse_longrope_failsListingSupportedTypes() {
    ObjectNode n = TinyConfigs.llamaLike("phi3", Style.TRANSFORMERS_4);
    n.putObject("rope_scaling").put("type", "longrope");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TinyConfigs.parse(n));
    assertTrue(e.getMessage().contains("'rope_scaling.type'") && e.getMessage().contains("'longrope'")
        && e.getMessage().contains("llama3"), e.getMessage());
  }

  @Test
  void parse_slidingWindow_appliesToAll() throws ModelFormatException {
    ObjectNode n = TinyConfigs.llamaLike("phi3", Style.TRANSFORMERS_5);
    n.put("sliding_window", 2047);
    TinyConfigs.parse(n).blocks().forEach(b -> assertEquals(2047, b.attention().slidingWindow().getAsInt()));
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ffnfuse.formats.ModelFormatException;
import org.ffnfuse.formats.config.TinyConfigs.Style;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Olmo2ParserTest {
  @ParameterizedTest
  @EnumSource(Style.class)
  void parse_olmo2_isPostNormWithFullQkNorm(Style style) throws ModelFormatException {
    ModelConfig c = TinyConfigs.parse(TinyConfigs.llamaLike("olmo2", style));
    assertEquals(ModelFamily.OLMO2, c.family());
    assertEquals(ResidualLayout.POST_NORM, c.layout());
    assertEquals(QkNorm.FULL, c.qkNorm());
    assertEquals(1e-5, c.norm().eps());
  }
}

package org.ffnfuse.formats.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RopeConfigTest {
  @Test
  void inverseFrequencies_default_followsThetaPowers() {
    float[] f = RopeConfig.standard(10000, 8).inverseFrequencies();
    assertEquals(4, f.length);
    assertEquals(1.0f, f[0]);
    assertEquals(0.1f, f[1], 1e-7);
    assertEquals(0.01f, f[2], 1e-8);
    assertEquals(0.001f, f[3], 1e-9);
  }

  @Test
  void inverseFrequencies_linear_dividesByFactor() {
    float[] f = new RopeConfig(RopeType.LINEAR, 10000, 8, 4, 1, 4, 0).inverseFrequencies();
    assertEquals(0.25f, f[0]);
    assertEquals(0.025f, f[1], 1e-8);
  }

  @Test
  void inverseFrequencies_llama3_keepsHighScalesLowSmoothsMiddle() {
    // theta 10000, dim 8: inv = 1, 0.1, 0.01, 0.001; wavelengths 2π/inv = 6.28, 62.8, 628, 6283.
    // original 1000, low 1, high 4: low_freq_wavelen 1000, high_freq_wavelen 250.
    float[] f = new RopeConfig(RopeType.LLAMA3, 10000, 8, 8, 1, 4, 1000).inverseFrequencies();
    assertEquals(1.0f, f[0]); // high frequency: untouched
    assertEquals(0.1f, f[1], 1e-7);
    double wavelen = 2 * Math.PI / 0.01; // medium band: smooth = (1000/628.3 − 1)/3 = 0.19718
    double smooth = (1000 / wavelen - 1) / 3;
    assertEquals((1 - smooth) * 0.01 / 8 + smooth * 0.01, f[2], 1e-8);
    assertEquals(0.001f / 8, f[3], 1e-10); // low frequency: divided by factor
  }

  @Test
  void constructor_oddRotaryDim_throws() {
    assertThrows(IllegalArgumentException.class, () -> RopeConfig.standard(10000, 7));
  }
}

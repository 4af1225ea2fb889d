package org.ffnfuse.converters.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256SumsTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(dir.resolve("a.txt"), "abc");
    Files.createDirectories(dir.resolve("model/sub"));
    Files.write(dir.resolve("model/sub/w.bin"), new byte[3 << 20]);
    Files.writeString(dir.resolve("model/config.json"), "{}");
  }

  @Test
  void sha256_knownVector() throws Exception {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256Sums.sha256(
        dir.resolve("a.txt")));
  }

  @Test
  void write_listsEveryFileSortedWithSlashes() throws Exception {
    Map<String, String> sums = Sha256Sums.write(dir);
    assertEquals(List.of("a.txt", "model/config.json", "model/sub/w.bin"), List.copyOf(sums.keySet()));
    List<String> lines = Files.readAllLines(dir.resolve(Sha256Sums.FILE_NAME));
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.txt", lines.get(0));
    assertEquals(3, lines.size());
  }

  @Test
  void write_isAcceptedBySha256sumCheck() throws Exception {
    Sha256Sums.write(dir);
    Process p = new ProcessBuilder("sha256sum", "--strict", "-c", Sha256Sums.FILE_NAME).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("model/sub/w.bin: OK"), out);
  }

  @Nested
  class Check {
    @Test
    void check_intact_noProblems() throws Exception {
      Sha256Sums.write(dir);
      assertEquals(List.of(), Sha256Sums.check(dir));
    }

    @Test
    void check_noManifest_saysIncomplete() throws Exception {
      List<String> p = Sha256Sums.check(dir);
      assertEquals(1, p.size());
      assertTrue(p.get(0).contains("no SHA256SUMS"), p.toString());
    }

    @Test
    void check_changedMissingAndExtraFiles_areEachReported() throws Exception {
      Sha256Sums.write(dir);
      Files.writeString(dir.resolve("a.txt"), "abd");
      Files.delete(dir.resolve("model/config.json"));
      Files.writeString(dir.resolve("new.txt"), "x");
      List<String> p = Sha256Sums.check(dir);
      assertEquals(3, p.size(), p.toString());
      assertTrue(p.get(0).endsWith("a.txt does not match its SHA-256 in SHA256SUMS"), p.toString());
      assertTrue(p.get(1).endsWith("model/config.json is listed in SHA256SUMS but missing"), p.toString());
      assertTrue(p.get(2).endsWith("new.txt is not listed in SHA256SUMS"), p.toString());
    }

    @Test
    void check_malformedLineAndEscapingPath_areReported() throws Exception {
      Sha256Sums.write(dir);
      String good = Files.readString(dir.resolve(Sha256Sums.FILE_NAME));
      Files.writeString(dir.resolve(Sha256Sums.FILE_NAME), good + "not a line\n" + "0".repeat(64)
          + "  ../outside.txt\n");
      List<String> p = Sha256Sums.check(dir);
      assertTrue(p.stream().anyMatch(s -> s.contains("line 4 is not '<sha256>  <path>'")), p.toString());
      assertTrue(p.stream().anyMatch(s -> s.contains("../outside.txt is listed in SHA256SUMS but missing")),
          p.toString());
    }
  }
}

package org.ffnfuse.formats.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Requirements some tests have on the machine (root, to mount a tmpfs). Where one is not met a developer's run skips
 * the test with the reason; a CI run ({@code CI=true}, as GitHub Actions and most CI systems set) fails instead, so a
 * CI machine that lost the privilege cannot silently stop testing.
 */
public final class Environment {
  private Environment() {}

  /** Skips the calling test (fails it under {@code CI=true}) unless this process runs as root. */
  public static void requireRoot(String why) {
    boolean root = effectiveUid() == 0;
    String reason = "needs root (" + why + "); this process runs as uid " + effectiveUid();
    if (isCi()) {
      if (!root) {
        throw new AssertionError(reason + ", and CI=true: CI must run these tests");
      }
      return;
    }
    Assumptions.assumeTrue(root, reason + ": skipped (run as root, as CI does, to include it)");
  }

  /** Whether the environment variable {@code CI} is {@code true}. */
  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The effective uid (owner of {@code /proc/self}, Linux), or -1 where that is unknown. */
  private static int effectiveUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }
}

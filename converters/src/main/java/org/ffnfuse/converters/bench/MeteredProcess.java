package org.ffnfuse.converters.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a child process and measures its wall time, CPU time and memory: peak resident set ({@code VmHWM}) and the
 * largest anonymous ({@code RssAnon}: heap, stacks, direct buffers) and file-backed ({@code RssFile}: mapped files)
 * resident sizes seen, polled from {@code /proc/PID/status}, and user + system CPU time from {@code /proc/PID/stat}
 * (Linux). {@code VmHWM} is the kernel's own high-water mark, so polling misses at most the growth of the last poll
 * interval; the other figures are sampled, so they miss at most the last interval's worth. CPU time does not depend on
 * how busy the machine is, wall time does.
 */
public final class MeteredProcess {
  /** Poll interval in milliseconds. */
  static final long POLL_MILLIS = 20;

  private MeteredProcess() {}

  /**
   * What a run measured.
   *
   * @param exitCode the child's exit code
   * @param seconds wall time from start to exit
   * @param peakRssBytes {@code VmHWM}: the peak resident set (0 where /proc is unavailable)
   * @param peakAnonBytes the largest {@code RssAnon} sampled
   * @param peakFileBytes the largest {@code RssFile} sampled
   * @param cpuSeconds user + system CPU time of the process (its own threads, not its children), last sample
   */
  public record Measurement(int exitCode, double seconds, long peakRssBytes, long peakAnonBytes,
      long peakFileBytes, double cpuSeconds) {}

  /** The command that runs {@code mainClass} in a new JVM with this JVM's class path and {@code -Xmx{xmx}}. */
  public static List<String> javaCommand(String xmx, String mainClass, List<String> args) {
    checkArgument(xmx.matches("\\d+[kKmMgG]?"), "bad -Xmx value '%s'", xmx);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + xmx);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Runs {@code command} with standard output and error appended to {@code log}, waiting for it to exit. */
  public static Measurement run(List<String> command, Path log) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long t0 = System.nanoTime();
    Process p = pb.start();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
    long hwm = 0;
    long anon = 0;
    long file = 0;
    long ticks = 0;
    while (true) {
      long[] s = sample(status);
      hwm = Math.max(hwm, s[0]);
      anon = Math.max(anon, s[1]);
      file = Math.max(file, s[2]);
      ticks = Math.max(ticks, cpuTicks(stat));
      if (p.waitFor(POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        break;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Measurement(p.exitValue(), seconds, hwm, anon, file, ticks / (double) CLOCK_TICKS);
  }

  /** {@code USER_HZ}: Linux reports CPU times in /proc in units of 1/100 s on every common platform. */
  private static final int CLOCK_TICKS = 100;

  /** utime + stime from /proc/PID/stat, in clock ticks; 0 if unavailable. */
  static long cpuTicks(Path stat) {
    try {
      String s = Files.readString(stat);
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
    } catch (IOException | RuntimeException e) {
      return 0; // gone, or not Linux
    }
  }

  /** {VmHWM, RssAnon, RssFile} in bytes; zeros if the process is gone or /proc has no such fields. */
  static long[] sample(Path status) {
    long[] out = new long[3];
    List<String> lines;
    try {
      lines = Files.readAllLines(status);
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      return out; // the process exited between the check and the read
    }
    for (String l : lines) {
      int i = l.startsWith("VmHWM:") ? 0 : l.startsWith("RssAnon:") ? 1 : l.startsWith("RssFile:") ? 2 : -1;
      if (i >= 0) {
        String[] parts = l.substring(l.indexOf(':') + 1).trim().split("\\s+");
        out[i] = Long.parseLong(parts[0]) * 1024; // the kernel reports kB
      }
    }
    return out;
  }
}

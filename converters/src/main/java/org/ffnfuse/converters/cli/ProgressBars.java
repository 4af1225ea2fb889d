package org.ffnfuse.converters.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ffnfuse.converters.recipe.RunListener;

/**
 * The CLI's progress bars on stderr: redrawn ASCII bars (me.tongfei progressbar) on a terminal, one plain line per
 * finished step when stderr is not a terminal (a log file, CI), or nothing at all when disabled ({@code --quiet}).
 * Commands get one from {@link ProgressOptions#bars()}:
 *
 * <pre>{@code
 * try (ProgressBars.Bar bar = progress.bars().bar("verify", windows)) {
 *   Verifier.verify(a, b, w, threads, bar::stepTo);
 * }
 * }</pre>
 *
 * <p>A bar with a total of 0 is indefinite (shows elapsed time only), for steps that report no progress (exports,
 * writes). {@link #listener} adapts the bars to a recipe run's {@link RunListener}.
 */
public final class ProgressBars {
  /** How progress is drawn. */
  public enum Style {
    /** A bar redrawn in place with carriage returns, for terminals. */
    REDRAWN,
    /** One line per step when it ends ({@code verify: 64/64, 3.5 s}), for logs: no carriage returns. */
    LINES
  }

  private static final ProgressBars DISABLED = new ProgressBars(null, Style.LINES);

  private final PrintStream out;
  private final Style style;

  private ProgressBars(PrintStream out, Style style) {
    this.out = out;
    this.style = style;
  }

  /** Progress on {@link System#err}: redrawn bars on a terminal, else one line per step. */
  public static ProgressBars stderr() {
    return new ProgressBars(System.err, System.console() != null ? Style.REDRAWN : Style.LINES);
  }

  /** Redrawn bars on {@code out} (tests). */
  public static ProgressBars to(PrintStream out) {
    return to(out, Style.REDRAWN);
  }

  /** Progress on {@code out} in {@code style} (tests). */
  public static ProgressBars to(PrintStream out, Style style) {
    return new ProgressBars(java.util.Objects.requireNonNull(out), style);
  }

  /** No bars. */
  public static ProgressBars disabled() {
    return DISABLED;
  }

  /** Whether bars are shown. */
  public boolean enabled() {
    return out != null;
  }

  /** A new bar named {@code task} over {@code total} units (0: indefinite); close it when the step ends. */
  public Bar bar(String task, long total) {
    if (out == null) {
      return new Bar(null, null);
    }
    if (style == Style.LINES) {
      return new Bar(null, new StepLine(out, task, total));
    }
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).continuousUpdate();
    if (total > 0) {
      b.setInitialMax(total);
    } else {
      b.setInitialMax(-1).hideEta();
    }
    return new Bar(b.build(), null);
  }

  /** A {@link RunListener} showing one bar per step of a recipe run, task names prefixed by {@code prefix}. */
  public RunListener listener(String prefix) {
    if (out == null) {
      return RunListener.NONE;
    }
    return new RunListener() {
      private Bar current = new Bar(null, null);

      @Override
      public synchronized void stepStarted(String step, long total) {
        current.close();
        current = bar(prefix + step, total);
      }

      @Override
      public synchronized void stepProgress(long done) {
        current.stepTo(done);
      }

      @Override
      public synchronized void stepFinished(String step, double seconds) {
        current.close();
        current = new Bar(null, null);
      }
    };
  }

  /** One bar; every method is a no-op on a disabled bar, and thread-safe. {@link #close()} is idempotent. */
  public static final class Bar implements AutoCloseable {
    private final ProgressBar bar;
    private final StepLine line;
    private boolean closed;

    private Bar(ProgressBar bar, StepLine line) {
      this.bar = bar;
      this.line = line;
    }

    /** One more unit done. */
    public synchronized void step() {
      if (closed) {
        return;
      }
      if (bar != null) {
        bar.step();
      } else if (line != null) {
        line.done++;
      }
    }

    /** {@code done} units done in total. */
    public synchronized void stepTo(long done) {
      if (closed) {
        return;
      }
      if (bar != null) {
        bar.stepTo(done);
      } else if (line != null) {
        line.done = done;
      }
    }

    /** A short note after the bar (the current model, the current step). */
    public synchronized void message(String text) {
      if (closed) {
        return;
      }
      if (bar != null) {
        bar.setExtraMessage(text);
      } else if (line != null) {
        line.message = text;
      }
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (bar != null) {
        bar.close();
      } else if (line != null) {
        line.print();
      }
    }
  }

  /** A step drawn as one line when it ends: {@code task: done/total, 1.2 s (message)}. */
  private static final class StepLine {
    private final PrintStream out;
    private final String task;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long done;
    private String message = "";

    StepLine(PrintStream out, String task, long total) {
      this.out = out;
      this.task = task;
      this.total = total;
    }

    void print() {
      String count = total > 0 ? done + "/" + total + ", " : done > 0 ? done + ", " : "";
      out.printf(java.util.Locale.ROOT, "%s: %s%.1f s%s%n", task, count, (System.nanoTime() - startNanos) / 1e9,
          message.isEmpty() ? "" : " (" + message + ")");
      out.flush();
    }
  }
}

package org.ffnfuse.converters.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ffnfuse.converters.recipe.RunListener;

/**
 * The CLI's progress bars: ASCII style (me.tongfei progressbar) on stderr, one line per step, or nothing at all when
 * disabled ({@code --quiet}). Commands get one from {@link ProgressOptions#bars()}:
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
  private static final ProgressBars DISABLED = new ProgressBars(null);

  private final PrintStream out;

  private ProgressBars(PrintStream out) {
    this.out = out;
  }

  /** Bars on {@link System#err}. */
  public static ProgressBars stderr() {
    return new ProgressBars(System.err);
  }

  /** Bars on {@code out} (tests). */
  public static ProgressBars to(PrintStream out) {
    return new ProgressBars(java.util.Objects.requireNonNull(out));
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
      return new Bar(null);
    }
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).continuousUpdate();
    if (total > 0) {
      b.setInitialMax(total);
    } else {
      b.setInitialMax(-1).hideEta();
    }
    return new Bar(b.build());
  }

  /** A {@link RunListener} showing one bar per step of a recipe run, task names prefixed by {@code prefix}. */
  public RunListener listener(String prefix) {
    if (out == null) {
      return RunListener.NONE;
    }
    return new RunListener() {
      private Bar current = new Bar(null);

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
        current = new Bar(null);
      }
    };
  }

  /** One bar; every method is a no-op on a disabled bar, and thread-safe. {@link #close()} is idempotent. */
  public static final class Bar implements AutoCloseable {
    private final ProgressBar bar;
    private boolean closed;

    private Bar(ProgressBar bar) {
      this.bar = bar;
    }

    /** One more unit done. */
    public synchronized void step() {
      if (bar != null && !closed) {
        bar.step();
      }
    }

    /** {@code done} units done in total. */
    public synchronized void stepTo(long done) {
      if (bar != null && !closed) {
        bar.stepTo(done);
      }
    }

    /** A short note after the bar (the current model, the current step). */
    public synchronized void message(String text) {
      if (bar != null && !closed) {
        bar.setExtraMessage(text);
      }
    }

    @Override
    public synchronized void close() {
      if (bar != null && !closed) {
        closed = true;
        bar.close();
      }
    }
  }
}

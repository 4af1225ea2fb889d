package org.ffnfuse.converters.cli;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.ffnfuse.formats.Printable;

/**
 * java.util.logging as the CLI wants it (libraries log, only the CLI prints): by default warnings and errors only, one
 * line each on stderr ({@code ffnfuse: warning: …}), without dates or class names; with {@code --debug} every record
 * from FINE up, with its logger name and stack trace. Records go to the {@link System#err} of the moment they are
 * published.
 */
final class CliLogging {
  /** DJL's tokenizer binding warns about GPU detection on every load; only its errors matter here. */
  private static final Logger DJL = Logger.getLogger("ai.djl");

  private CliLogging() {}

  /** Replaces the root logger's handlers by the CLI's one-line handler, detailed when {@code debug}. */
  static void configure(boolean debug) {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Level level = debug ? Level.FINE : Level.WARNING;
    root.setLevel(level);
    root.addHandler(new OneLine(debug, level));
    DJL.setLevel(debug ? null : Level.SEVERE);
  }

  /** {@code ffnfuse: warning: message}, or with {@code debug} the level, logger name and stack trace too. */
  private static final class OneLine extends Handler {
    private final boolean debug;

    OneLine(boolean debug, Level level) {
      this.debug = debug;
      setLevel(level);
    }

    @Override
    public void publish(LogRecord r) {
      if (!isLoggable(r)) {
        return;
      }
      String text = r.getMessage() == null ? "" : r.getMessage();
      if (r.getParameters() != null && r.getParameters().length > 0) {
        text = java.text.MessageFormat.format(text, r.getParameters());
      }
      String level = r.getLevel().intValue() >= Level.SEVERE.intValue() ? "error" : "warning";
      if (debug) {
        level = r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + " [" + r.getLoggerName() + "]";
      }
      System.err.println("ffnfuse: " + level + ": " + Printable.escape(text));
      if (debug && r.getThrown() != null) {
        r.getThrown().printStackTrace(System.err);
      }
    }

    @Override
    public void flush() {
      System.err.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}

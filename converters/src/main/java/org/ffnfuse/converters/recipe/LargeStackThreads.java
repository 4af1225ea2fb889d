package org.ffnfuse.converters.recipe;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads with a large stack for work that creates ONNX Runtime sessions. ONNX Runtime's graph optimizer recurses
 * deeply while a session is created; on the JVM's default 1 MiB thread stack that crashes the whole process with
 * SIGSEGV (no Java exception) for graphs as small as the bundled nas-austen-16l export. {@link RecipeRunner} and the
 * batch workers therefore run on threads with a {@value #STACK_MIB} MiB stack (reserved address space; only the pages
 * used are committed).
 */
public final class LargeStackThreads {
  /** Stack size of the threads made here, MiB. */
  public static final int STACK_MIB = 64;

  private static final ThreadLocal<Boolean> LARGE = ThreadLocal.withInitial(() -> false);

  private LargeStackThreads() {}

  /** A factory of daemon threads named {@code prefix-N} with the large stack. */
  public static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(null, () -> {
        LARGE.set(true);
        r.run();
      }, prefix + "-" + n.incrementAndGet(), (long) STACK_MIB << 20);
      t.setDaemon(true);
      return t;
    };
  }

  /** Whether the current thread was made here. */
  public static boolean current() {
    return LARGE.get();
  }

  /** A body that may throw the checked exceptions of a run. */
  @FunctionalInterface
  public interface Body<T> {
    T call() throws IOException, OrtException;
  }

  /**
   * Runs {@code body} on a large-stack thread (directly if the current thread is one) and returns its result; its
   * exceptions are rethrown here. Waits for the body to finish even if this thread is interrupted (the interrupt
   * flag is restored afterwards).
   */
  @SuppressWarnings("unchecked")
  public static <T> T call(Body<T> body) throws IOException, OrtException {
    if (current()) {
      return body.call();
    }
    Object[] result = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread t = factory("ffnfuse-run").newThread(() -> {
      try {
        result[0] = body.call();
      } catch (Throwable e) {
        failure[0] = e;
      }
    });
    t.start();
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable f = failure[0];
    if (f == null) {
      return (T) result[0];
    }
    if (f instanceof RuntimeException re) {
      throw re;
    }
    if (f instanceof Error err) {
      throw err;
    }
    if (f instanceof IOException io) {
      throw io;
    }
    if (f instanceof OrtException ort) {
      throw ort;
    }
    throw new IllegalStateException("undeclared checked exception from a run", f);
  }
}

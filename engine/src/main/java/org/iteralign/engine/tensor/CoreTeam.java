package org.iteralign.engine.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs the parallel passes of a forward step on all cores: the calling thread and one persistent
 * worker per other core take numbered tasks from a shared counter until none are left.
 *
 * <p>Why not ForkJoin: a decode step is about 120 passes of tens of microseconds each. A parked
 * ForkJoin worker had to be woken for every pass, and on a busy machine that wake-up, not the work,
 * set the pace (decode wall time was twice its CPU time). Workers here spin for a short while after a
 * pass before parking, so the next pass finds them running; and tasks are handed out one at a time,
 * so a worker the scheduler takes off its core delays a pass by the task it holds, not by a split half.
 *
 * <p>One pass at a time: a pass started while another runs (from another thread, or from inside a
 * task) runs all its tasks on its own thread. Which thread runs a task never changes what it computes.
 */
public final class CoreTeam {
    /** How long an idle worker stays awake for the next pass; a decode step's gaps are far shorter. */
    private static final long SPIN_NANOS = 200_000;
    /** How long the caller spins on a straggler before yielding its core, which the straggler may need. */
    private static final long WAIT_SPIN_NANOS = 20_000;

    private static final CoreTeam SHARED = new CoreTeam(Runtime.getRuntime().availableProcessors() - 1);

    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Pass current;
    /** Numbers the passes, so a worker tells a new one from the one it finished without holding on to it. */
    private long passes;

    private CoreTeam(int workerCount) {
        workers = new Worker[Math.max(0, workerCount)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("iteralign-core-" + (i + 1));
            workers[i].start();
        }
    }

    /** Calls {@code task.accept(i)} for every {@code i < tasks}, spread over the cores; returns when all are done. */
    public static void forEach(int tasks, IntConsumer task) {
        SHARED.run(tasks, task);
    }

    private void run(int tasks, IntConsumer task) {
        if (workers.length == 0 || tasks <= 1 || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
            return;
        }
        Pass pass = new Pass(++passes, tasks, task);
        try {
            current = pass;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            pass.work();
            long start = System.nanoTime();
            while (pass.done.get() < tasks) {
                if (System.nanoTime() - start < WAIT_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        } finally {
            current = null;
            busy.set(false);
        }
        pass.rethrow();
    }

    private static final class Pass {
        final long number;
        final int tasks;
        final IntConsumer task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Pass(long number, int tasks, IntConsumer task) {
            this.number = number;
            this.tasks = tasks;
            this.task = task;
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                try {
                    task.accept(i);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    private final class Worker extends Thread {
        /** Set before the worker re-checks for a pass and parks; the caller unparks only parked workers. */
        volatile boolean parked;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0;
            while (true) {
                Pass pass = awaitPass(last);
                last = pass.number;
                pass.work();
            }
        }

        private Pass awaitPass(long last) {
            long start = System.nanoTime();
            while (true) {
                Pass pass = current;
                if (pass != null && pass.number != last) {
                    return pass;
                }
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                pass = current;
                if (pass == null || pass.number == last) {
                    LockSupport.park(this);
                }
                parked = false;
                start = System.nanoTime();
            }
        }
    }
}

package org.silo.archive.lm;

/**
 * What wakes movers waiting in the library manager: an idle_mover waits up to
 * {@link LibrarySettings#pollWaitMs} for work, and is woken when the queue changes (a request
 * queued, cancelled or finished, a mover's requests given back); a mount_wait is woken when an operator
 * answers (mount_reply). Each wake wakes every waiter, and each looks again.
 */
final class WorkSignal {
    private long generation;

    /** A count of the wakes so far, to pass to {@link #awaitWake(long, long)}. */
    synchronized long generation() {
        return generation;
    }

    /** Something changed: every waiter looks again. */
    synchronized void wake() {
        generation++;
        notifyAll();
    }

    /** Waits up to {@code ms} (0: until woken) for a wake, unless one came since {@code generation} was read. */
    synchronized void awaitWake(long generation, long ms) throws InterruptedException {
        if (this.generation == generation) {
            wait(ms);
        }
    }

    /** Waits up to {@code ms} (0: until woken) for the next wake. */
    synchronized void awaitWake(long ms) throws InterruptedException {
        wait(ms);
    }
}

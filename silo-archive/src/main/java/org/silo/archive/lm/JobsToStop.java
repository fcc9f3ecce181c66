package org.silo.archive.lm;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running jobs whose mover is to stop them: its next mover_progress (or mount_wait) is answered
 * {@code cancel}. A job is to stop when it was killed (kill_job, or its client is gone) while a mover ran
 * it, or when it was taken back from its mover (the mover went silent, kill_binding, or it asked
 * idle_mover while it still had the job) and perhaps given to another. Kept in memory: after a restart
 * every mover asks again.
 */
final class JobsToStop {
    private final Set<Long> killed = ConcurrentHashMap.newKeySet();
    /** Jobs taken back from a mover (timeout, kill_binding): job id to the mover that lost it. */
    private final Map<Long, String> revoked = new ConcurrentHashMap<>();

    /** kill_job (or a client gone) of a job a mover runs: it stops at its next progress report. */
    void killed(long job) {
        killed.add(job);
    }

    /** The job went back to the queue from {@code moverId}: that mover is to stop it, whoever gets it next. */
    void takenFrom(long job, String moverId) {
        killed.remove(job);
        revoked.put(job, moverId);
    }

    /** The job is given (back) to {@code moverId}: if it is the mover that lost it, its progress counts again. */
    void givenTo(long job, String moverId) {
        revoked.remove(job, moverId);
    }

    /** transfer_done of the job from {@code moverId}: nothing more to stop. */
    void ended(long job, String moverId) {
        killed.remove(job);
        revoked.remove(job, moverId);
    }

    /** Jobs whose client was found gone by the mover that reports them: it is done with them already. */
    void ended(Set<Long> jobs) {
        killed.removeAll(jobs);
    }

    /** Whether {@code moverId} is to stop {@code job} (0: no job, nothing to stop). */
    boolean mustStop(long job, String moverId) {
        return job != 0 && (killed.contains(job) || moverId.equals(revoked.get(job)));
    }
}

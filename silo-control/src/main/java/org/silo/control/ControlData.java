package org.silo.control;

import java.util.List;
import java.util.Map;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grants;

/**
 * What the control front ends (the text protocol and the web console) read and change, as the server
 * provides it. Rows are string-keyed maps so that both front ends render them as they are (JSON for the
 * console's /api, tab-separated key/value fields for the text protocol); each method says its keys.
 */
public interface ControlData {

    /** The server's status, as STATUS answers it on the message layer. */
    Map<String, Object> status();

    /**
     * Volumes, the archive's VolumeInfo key for key: label, library, mediaType, backend, capacity, remaining
     * (bytes), storageGroup, fileFamily, state, stateBy, stateReason, stateMs, writing, mounts, readErrors,
     * writeErrors, files, bytesRead, createdMs, lastAccessMs, containers, deadBytes (dead space in containers of small files).
     */
    List<Map<String, Object>> volumes() throws SiloException;

    /** An archive directory's entries, NsEntry key for key: path, name, kind (file or dir), owner, createdMs, modifiedMs, bfid, size, adler32 (hex), volume. */
    List<Map<String, Object>> directory(String path) throws SiloException;

    /**
     * A page of a directory: {@code entries} (keys as in {@link #directory}) whose names come after
     * {@code after} (null: from the first), at most {@code limit}; and {@code next}, the cursor for the
     * following page (the last name of this one), present only when more follow. By default cut from
     * {@link #directory}; the server asks its catalog for just the page.
     */
    default Map<String, Object> directoryPage(String path, String after, int limit) throws SiloException {
        List<Map<String, Object>> all = directory(path);
        int from = 0;
        if (after != null) {
            while (from < all.size()
                    && String.valueOf(all.get(from).get("name")).compareTo(after) <= 0) {
                from++;
            }
        }
        int to = Math.min(all.size(), from + Math.max(1, limit));
        Map<String, Object> page = new java.util.LinkedHashMap<>();
        page.put("entries", all.subList(from, to));
        if (to < all.size()) {
            page.put("next", all.get(to - 1).get("name"));
        }
        return page;
    }

    /** Block images: name, sizeBytes, allocatedBytes, readOnly, holders. */
    List<Map<String, Object>> images() throws SiloException;

    /**
     * Snapshots of block images, of those present and of those removed since, by image then number
     * (docs/block.md, "Snapshots"): image, number, parent (its number; 0 for a full snapshot), path (the
     * archive file), takenMs, tookMs, imageSize, stored (the file's bytes), dataBytes (the image bytes it
     * holds). None by default: a server without a block service has none.
     */
    default List<Map<String, Object>> snapshots() throws SiloException {
        return List.of();
    }

    /**
     * The library manager's queue, waiting and running: id, kind, state, path, size, volume, mover (its
     * id), moverName, effectivePriority, error.
     */
    List<Map<String, Object>> jobs() throws SiloException;

    /** The movers: id, name, library, mediaTypes, host, state, volume, job, bytesDone, bytesTotal, bytesPerSecond, bytes, files, errors, mounts, seenMs. */
    List<Map<String, Object>> movers() throws SiloException;

    /** One object described: kind is volume, file (an archive path) or image. */
    Map<String, Object> whatis(String kind, String name) throws SiloException;

    /** Prometheus text exposition of every silo_* meter. */
    String metrics();

    /**
     * Checks a password against an access list's verifier; the list's rights, or PERMISSION. Wrong
     * passwords from one address are slowed as on the message layer ({@code LoginThrottle}).
     */
    Grants login(String list, char[] password, java.net.InetAddress from) throws SiloException;

    /** What a session that has not logged in may do, from this address. */
    Grants anonymous(java.net.InetAddress peer);

    /** Admin: changes a volume's state (ok, readonly, full, noaccess, hung) with who and why. */
    void setVolumeState(String label, String state, String reason, String who) throws SiloException;

    /** Queues a copy of an archived file (a path, or a content hash sha256:HEX / md5:HEX) to a volume (null: any other); the job, keys as in jobs(). */
    Map<String, Object> queueCopy(String file, String volume, String who) throws SiloException;

    /** Queues a verify of a volume (every file read and checked); the job. */
    Map<String, Object> queueVerify(String volume, String who) throws SiloException;

    /** Admin: cancels every queued request; how many. */
    int clearQueue(String who) throws SiloException;

    /** Cancels a queued or running request; the job. */
    Map<String, Object> killJob(long id, String who) throws SiloException;

    /** Admin: gives a mover (by id or current name) a friendly name; the mover, keys as in movers(). */
    Map<String, Object> renameMover(String mover, String name, String who) throws SiloException;

    /** Admin: a request's priority (null: back to aging); the job. */
    Map<String, Object> setJobPriority(long id, Integer priority, String who) throws SiloException;

    /** The file access service's leases held now: object, holder, kind (read or write), expiresMs, recalled. */
    List<Map<String, Object>> leases() throws SiloException;

    /** Mounts waiting for an operator (manual changer): volume, drive, mover, job, sinceMs, state, reason, by. */
    List<Map<String, Object>> mounts() throws SiloException;

    /**
     * A STATUS from a text worker that is a mover (its CAP names {@code mover:LIBRARY}): seed 000's mover
     * conversation carried by seed 004's verbs (docs/control-protocol.md, "Text movers"). {@code status}
     * is the message's fields: state, percent, detail... The answer's lines, verb and fields first (WORK,
     * OPEN, CANCEL), or an empty list for a plain {@code OK STATUS}. May block up to a second.
     */
    MoverAnswer moverStatus(
            String worker, String name, List<String> capabilities, List<String> status, List<List<String>> lines)
            throws SiloException;

    /**
     * The answer to a text mover's STATUS: its lines, verb and fields first (WORK, OPEN, CANCEL; empty for
     * a plain {@code OK STATUS}); and, when the STATUS ended a job, whether the server recorded it passed
     * (null: no job ended) and the bytes it moved, for the worker's statistics.
     */
    record MoverAnswer(List<List<String>> lines, Boolean passed, long bytes) {
        public static MoverAnswer ok(List<List<String>> lines) {
            return new MoverAnswer(lines, null, 0);
        }
    }

    /** The bytes a one-time transfer token names, and how many (docs/control-protocol.md, "Copies by a text worker"). */
    record Fetched(java.io.InputStream in, long length) {}

    /**
     * Seed 004's get: the source of a text mover's copy, by the one-time token its WORK gave; each token
     * is good for one fetch. NOT_FOUND for a token not known (used, or its job ended).
     */
    default Fetched fetch(String token) throws SiloException {
        throw SiloException.notFound("no transfer for this token");
    }

    /**
     * Seed 004's push: the copy a text mover delivers for its token, checked (size, Adler-32, content hash)
     * and stored on the job's target before it counts; each token is good for one delivery. What was
     * stored, as a line of text; IO when the bytes are not the file's (nothing is kept).
     */
    default String deliver(String token, java.io.InputStream in) throws SiloException {
        throw SiloException.notFound("no transfer for this token");
    }

    /**
     * The text workers as the console shows them: id, name, state, percent, detail, connected, version,
     * capabilities, done, failed, bytes, bytesPerSecond, holdings (the lines of its last INFO), holdingsMs.
     */
    default List<Map<String, Object>> workers() {
        return List.of();
    }

    /** A text worker that is a mover has gone: what it was doing goes back to the queue. */
    void moverGone(String worker);

    /** Admin: confirms (ok) or refuses the waiting mount of a volume; the mount. */
    Map<String, Object> answerMount(String volume, boolean ok, String reason, String who) throws SiloException;
}

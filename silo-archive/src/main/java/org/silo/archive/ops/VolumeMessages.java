package org.silo.archive.ops;

import java.util.List;

/** Request and reply records of the volume clerk (CBOR on the wire). A null field means "not given". */
public final class VolumeMessages {
    private VolumeMessages() {}

    /**
     * A volume record as the clerk keeps it. Times are milliseconds since the epoch. {@code containers}:
     * its active containers of small files; {@code deadBytes}: the bytes in them no live file needs (a
     * container none of whose members lives counts whole, else its deleted members' data), which a repack
     * gives back.
     */
    public record VolumeInfo(
            String label,
            String library,
            String mediaType,
            String backend,
            long capacity,
            long remaining,
            String storageGroup,
            String fileFamily,
            String state,
            String stateBy,
            String stateReason,
            long stateMs,
            String writing,
            long mounts,
            long readErrors,
            long writeErrors,
            long files,
            long bytesRead,
            long createdMs,
            long lastAccessMs,
            long containers,
            long deadBytes) {

        /**
         * This record as shown to a caller without write on the volume (and in the console): an S3 backend's
         * {@code secret=} is replaced by {@code ***}; movers, which write with it, get it whole.
         */
        public VolumeInfo redacted() {
            String shown = backend == null ? null : backend.replaceAll("(?i)([?&]secret=)[^&]*", "$1***");
            return new VolumeInfo(
                    label,
                    library,
                    mediaType,
                    shown,
                    capacity,
                    remaining,
                    storageGroup,
                    fileFamily,
                    state,
                    stateBy,
                    stateReason,
                    stateMs,
                    writing,
                    mounts,
                    readErrors,
                    writeErrors,
                    files,
                    bytesRead,
                    createdMs,
                    lastAccessMs,
                    containers,
                    deadBytes);
        }
    }

    public record VolumeList(List<VolumeInfo> volumes) {}

    /** addvol. {@code capacity} is a size as people write it (10G); {@code backend} dir:PATH or s3://B/P. */
    public record AddVol(
            String label,
            String library,
            String mediaType,
            String capacity,
            String backend,
            String storageGroup,
            String fileFamily) {}

    /** next_write_volume: a volume of the library, storage group and file family with room for size bytes. */
    public record NextWriteVolume(String library, String storageGroup, String fileFamily, long size, String mover) {}

    /** append_done: the mover finished appending {@code bytes} (0 if it failed) to the volume. */
    public record AppendDone(String label, long bytes, String mover) {}

    /** set_appending: the mover starts appending to the volume. */
    public record SetAppending(String label, String mover) {}

    /** update_read_stats: a mover mounted the volume and read {@code bytes}. */
    public record ReadStats(String label, String mover, long bytes) {}

    public record SetRemaining(String label, long bytes) {}

    /** set_system_readonly, set_hung: the volume, why, and who says so. */
    public record SetState(String label, String reason, String by) {}

    /** note_error: a mover failed on the volume (read or write). */
    public record NoteError(String label, String mover, boolean write, String reason) {}

    /** edit_vol: every non-null field is changed; {@code state} follows the state machine. */
    public record EditVol(
            String label,
            String state,
            String reason,
            String by,
            String storageGroup,
            String fileFamily,
            String capacity) {}

    /** delete_vol: refused while the volume holds live files, unless {@code force}. */
    public record DeleteVol(String label, boolean force) {}

    /** list_vols: null fields match anything. */
    public record ListVols(String library, String storageGroup, String state) {}

    /** set_family_width. */
    public record FamilyWidth(String fileFamily, int width) {}

    /** set_quota: how many volumes the storage group may hold in the library (negative: no limit). */
    public record Quota(String library, String storageGroup, int maxVolumes) {}

    /** backup: a consistent copy of the catalog to {@code dest} (a file path on the server). */
    public record Backup(String dest) {}

    public record BackupResult(String dest, String engine, long bytes, long millis) {}
}

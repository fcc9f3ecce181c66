package org.silo.archive.ops;

import java.util.List;

/**
 * Request and reply records of the library manager and the movers (CBOR on the wire). A null field
 * means "not given".
 */
public final class LibraryMessages {
    private LibraryMessages() {}

    /** What a mover's {@link Work} tells it to do. */
    public static final String NOWORK = "nowork";

    public static final String BIND_VOLUME = "bind_volume";
    public static final String READ_FROM_HSM = "read_from_hsm";
    public static final String WRITE_TO_HSM = "write_to_hsm";
    public static final String UNBIND_VOLUME = "unbind_volume";

    /**
     * A mover introducing itself, in idle_mover and have_bound_volume: its persistent id, the name it
     * proposes (an administrator's name in the catalog wins), library, media types, host, its state and
     * the volume it has bound (have_bound_volume); {@code kinds}: the request kinds it can do (null: all;
     * a text worker that only verifies says {@code [verify]}).
     */
    public record MoverHello(
            String id,
            String name,
            String library,
            List<String> mediaTypes,
            String host,
            String state,
            String volume,
            List<String> kinds) {
        public MoverHello(
                String id,
                String name,
                String library,
                List<String> mediaTypes,
                String host,
                String state,
                String volume) {
            this(id, name, library, mediaTypes, host, state, volume, null);
        }
    }

    /**
     * The library manager's answer to a mover: {@code action} is nowork, bind_volume (with the volume
     * and its first job), read_from_hsm or write_to_hsm (another job on the bound volume), or
     * unbind_volume.
     */
    public record Work(String action, String volume, String backend, Job job) {}

    /** The error of a request cancelled because its client ended its session (END): the client stopped on purpose. */
    public static final String CANCELLED_BY_CLIENT = "cancelled by the client";

    /** Request kinds: a user's write and read, and the volume work of {@code copy} and {@code verify}. */
    public static final String KIND_WRITE = "write";

    public static final String KIND_READ = "read";
    public static final String KIND_COPY = "copy";
    public static final String KIND_VERIFY = "verify";
    /** A volume's containers repacked: their live members copied into new containers on another volume, the old ones freed. */
    public static final String KIND_REPACK = "repack";

    /**
     * One job for a mover. Reads carry the bit file's cookie, size and Adler-32 and one target per
     * client (merged duplicate reads); a write has one target and, with {@code hash}, the content hash
     * algorithm to compute (md5 or sha256). A copy reads the bit file from {@code volume} and appends it
     * to {@code targetVolume} (no client: {@code targets} is empty). A verify reads every file in
     * {@code files} from {@code volume}. {@code moverName} is the mover's name as the catalog knows it.
     * {@code nextFile}: the lowest file number the job may write on the volume it writes ({@code volume},
     * or {@code targetVolume} for a copy or repack), the catalog's {@code next_file} when the writer was
     * bound (0: not known; the mover counts from the volume's files).
     */
    public record Job(
            long id,
            String kind,
            String volume,
            String backend,
            String bfid,
            String cookie,
            String path,
            long size,
            String adler32,
            boolean verify,
            List<Target> targets,
            String moverName,
            String changer,
            String hash,
            String targetVolume,
            String targetBackend,
            List<FileRef> files,
            Aggregation aggregation,
            long nextFile) {
        /** Whether the job carries its files one by one (write_files, read_files): the data channel's version 2. */
        public boolean batch() {
            return files != null && (kind.equals(KIND_WRITE) || kind.equals(KIND_READ));
        }
    }

    /**
     * How a mover packs the small files of a write into containers (docs/archive.md, "Aggregation"):
     * files under {@code below} bytes go into containers closed at {@code containerSize} bytes, when the
     * write ends, or when the client has sent nothing for {@code idleMs}.
     */
    public record Aggregation(long below, long containerSize, long idleMs) {}

    /** A bit file a verify job reads: where it is and what it must read back as. */
    public record FileRef(
            String bfid, String cookie, long size, String adler32, String hash, int index, String path, String owner) {
        public FileRef(String bfid, String cookie, long size, String adler32, String hash) {
            this(bfid, cookie, size, adler32, hash, 0, null, null);
        }
    }

    /** set_changer: the media changer of a library, {@code none}, {@code manual} or {@code command:PROGRAM}. */
    public record Changer(String library, String changer) {}

    /** What a {@link MountAnswer} says. */
    public static final String MOUNT_WAITING = "waiting";

    public static final String MOUNT_CONFIRMED = "confirmed";
    public static final String MOUNT_REFUSED = "refused";
    public static final String MOUNT_CANCELLED = "cancelled";

    /**
     * mount_wait: a mover of a library with the {@code manual} changer asks an operator to put the volume
     * in its drive, and asks again (about once a second) until it is answered.
     */
    public record MountWait(String moverId, long job, String volume, String drive) {}

    /** The answer to mount_wait: waiting, confirmed, refused (with the operator's reason) or cancelled (the job was killed). */
    public record MountAnswer(String state, String reason) {}

    /** A mount an operator has been asked for, as mount_ls lists it. */
    public record MountRequest(
            String moverId,
            String mover,
            String volume,
            String drive,
            long job,
            long sinceMs,
            String state,
            String reason,
            String by) {}

    public record MountList(List<MountRequest> mounts) {}

    /** mount_reply: an operator confirms (the volume is in the drive) or refuses the mount of a volume (or of a mover's request). */
    public record MountReply(String volume, boolean ok, String reason) {}

    /** A client waiting for a mover to connect: its request, its address and the token that proves the job. */
    public record Target(long request, String callback, String token) {}

    /** unilateral_unbind: the mover gives up its volume on its own. */
    public record Unbind(String moverId, String volume, String reason) {}

    /** mover_progress: sent at least once a second while a mover moves bytes. */
    public record Progress(
            String moverId, String state, long job, long bytesDone, long bytesTotal, double bytesPerSecond) {}

    /** The answer to mover_progress: {@code cancel} if the job was killed. */
    public record ProgressAck(boolean cancel) {}

    /**
     * transfer_done: the mover finished a job. For a write that worked: cookie, size and Adler-32 (the
     * library manager records the bit file). {@code volumeFault}: the failure was the volume's (an I/O
     * error, a checksum error on read-back or on reading), so it counts against the volume.
     * {@code failedTargets}: requests of a merged read that failed while others worked. {@code gone}: the
     * clients that went away or could not be reached ({@link ClientGone}).
     *
     * <p>{@code noRoom}: a write failed because the volume has no room for the file; {@code volumeFree} is
     * how many bytes it can still take (null: the mover cannot tell), what seed 000's mover says with
     * set_remaining_bytes. With {@code requeue} the mover found it before it contacted the client, by
     * comparing the volume's free space with the file's size: the volume's remaining bytes become
     * {@code volumeFree} and the request goes to another volume as it stands. Without, the volume answered
     * ENOSPC while the bytes arrived: the volume becomes {@code full} and the client sends the file again.
     *
     * <p>{@code requeue} without {@code noRoom}: the mover's inquire_vol, before it contacted the client,
     * found the volume no longer writable (set readonly, full, noaccess or hung since the job was bound, or
     * with fewer bytes remaining than the job's); {@code error} says how. The request goes back to the queue
     * as it stands, for another volume ({@link #notWritable}).
     */
    public record TransferDone(
            String moverId,
            long job,
            boolean ok,
            String cookie,
            long size,
            String adler32,
            String error,
            boolean volumeFault,
            List<Long> failedTargets,
            String hash,
            String result,
            String faultVolume,
            boolean noRoom,
            Long volumeFree,
            boolean requeue,
            List<ClientGone> gone) {
        /**
         * A job's end, built by name rather than by sixteen positions (nfs4j's tests build compounds this
         * way): {@code TransferDone.of(mover, job).stored(bytes).build()},
         * {@code TransferDone.of(mover, job).failed(error).volumeFault(true).size(bytes).build()}.
         */
        public static Builder of(String moverId, long job) {
            return new Builder(moverId, job);
        }

        /** The fields of a {@link TransferDone}, each set by name; what is not set is false, 0 or null. */
        public static final class Builder {
            private final String moverId;
            private final long job;
            private boolean ok;
            private String cookie;
            private long size;
            private String adler32;
            private String error;
            private boolean volumeFault;
            private List<Long> failedTargets;
            private String hash;
            private String result;
            private String faultVolume;
            private boolean noRoom;
            private Long volumeFree;
            private boolean requeue;
            private List<ClientGone> gone;

            private Builder(String moverId, long job) {
                this.moverId = moverId;
                this.job = job;
            }

            /** The job did what it was asked, moving {@code bytes} bytes. */
            public Builder stored(long bytes) {
                this.ok = true;
                this.size = bytes;
                return this;
            }

            /** Whether the job did what it was asked (a read with some files delivered is ok). */
            public Builder ok(boolean ok) {
                this.ok = ok;
                return this;
            }

            /** The job failed, and why. */
            public Builder failed(String error) {
                this.ok = false;
                this.error = error;
                return this;
            }

            /** Why it failed, or null. */
            public Builder error(String error) {
                this.error = error;
                return this;
            }

            /** The bytes moved, also by a job that failed part way. */
            public Builder size(long bytes) {
                this.size = bytes;
                return this;
            }

            /** Where the bytes are on the volume, for a job that wrote one file. */
            public Builder cookie(String cookie) {
                this.cookie = cookie;
                return this;
            }

            public Builder adler32(String adler32) {
                this.adler32 = adler32;
                return this;
            }

            /** The volume, not the client, is to blame. */
            public Builder volumeFault(boolean volumeFault) {
                this.volumeFault = volumeFault;
                return this;
            }

            /** Which volume is to blame, when it is not the job's own (a copy's target). */
            public Builder faultVolume(String volume) {
                this.faultVolume = volume;
                return this;
            }

            public Builder failedTargets(List<Long> targets) {
                this.failedTargets = targets;
                return this;
            }

            public Builder hash(String hash) {
                this.hash = hash;
                return this;
            }

            /** What a volume job found (a verify's or a repack's summary). */
            public Builder result(String result) {
                this.result = result;
                return this;
            }

            /** The volume had no room: {@code free} bytes it can still take, null if unknown. */
            public Builder noRoom(Long free) {
                this.noRoom = true;
                this.volumeFree = free;
                return this;
            }

            /** The request goes back to the queue as it stands, for another volume. */
            public Builder requeue(boolean requeue) {
                this.requeue = requeue;
                return this;
            }

            /** The clients that went away while the job ran. */
            public Builder gone(List<ClientGone> gone) {
                this.gone = gone;
                return this;
            }

            public TransferDone build() {
                return new TransferDone(
                        moverId,
                        job,
                        ok,
                        cookie,
                        size,
                        adler32,
                        error,
                        volumeFault,
                        failedTargets,
                        hash,
                        result,
                        faultVolume,
                        noRoom,
                        volumeFree,
                        requeue,
                        gone);
            }
        }

        /** A write its volume had no room for: {@code free} bytes it can still take (-1: unknown); see {@code requeue} above. */
        public static TransferDone noRoom(String moverId, long job, String error, long free, boolean requeue) {
            return of(moverId, job)
                    .failed(error)
                    .noRoom(free < 0 ? null : free)
                    .requeue(requeue)
                    .build();
        }

        /** A write the mover did not start: its inquire_vol found the volume not writable any more ({@code why}). */
        public static TransferDone notWritable(String moverId, long job, String why) {
            return of(moverId, job).failed(why).requeue(true).build();
        }
    }

    /**
     * How a request's {@code error} begins when it tells its client something (JobInfo.error): the
     * client acts on these prefixes and shows the rest to the user.
     *
     * <ul>
     * <li>{@link #QUEUED}: a queued request waits for something that needs a person ("queued: no mover of
     *     library tiny is connected"); the client says so on standard error and keeps waiting.
     * <li>{@link #REQUEUED}: the request went back to the queue (its mover gave it up, or its volume had no
     *     room for it and the client had not been contacted); the client keeps waiting.
     * <li>{@link #RESEND}: a write failed because its volume filled up while the bytes arrived; the volume
     *     is now full, and the client sends the file again (not counted as one of its retries).
     * <li>{@link #NO_SPACE}: no volume of the library can take the file; the client does not retry.
     * <li>{@link #VOLUME_FAULT}: a write failed on its volume (an I/O error, a bad read-back), which its mover
     *     has set readonly; the client retries (a counted try) without avoiding that mover, which is not
     *     to blame.
     * </ul>
     */
    public static final String QUEUED = "queued: ";

    public static final String REQUEUED = "requeued: ";

    /**
     * A mover's state as the library manager shows it (mover ls) when its job stopped moving (docs/archive.md,
     * "Hung drives"); beside the states a mover reports of itself ({@code Mover.State}).
     */
    public static final String MOVER_HUNG = "hung";

    public static final String RESEND = "resend: ";
    public static final String NO_SPACE = "no space: ";
    public static final String VOLUME_FAULT = "volume fault: ";

    /**
     * In transfer_done: a client the mover found gone, so that its request is cancelled rather than failed
     * (no one waits for it) and, when the mover could not connect at all ({@code unreachable}: nothing
     * listens at the callback), so are the queued requests of the same callback. {@code why} says what the
     * mover found, e.g. {@code the client at 10.0.0.5:41234 cannot be reached: Connection refused}.
     */
    public record ClientGone(long request, boolean unreachable, String why) {}

    /** write_to_hsm from a user: the file to write, where to put it, and where the client waits. */
    public record WriteToHsm(
            String path,
            long size,
            String library,
            String storageGroup,
            String fileFamily,
            int priority,
            boolean verify,
            String callback,
            String token,
            String owner,
            List<String> avoidMovers,
            int copies,
            String hash) {
        /**
         * A write of {@code size} bytes to {@code path}, built by name: {@code WriteToHsm.of("/exp/a", size)
         * .callback("host:port", token).owner("alice").build()}. Unset: the default library, storage group
         * and file family, priority 0, no verify, one copy, no content hash, no mover avoided.
         */
        public static Builder of(String path, long size) {
            return new Builder(path, size);
        }

        /** The same request for this owner (the server sets the session's: docs/security.md, "Owners"). */
        public WriteToHsm withOwner(String o) {
            return new WriteToHsm(
                    path,
                    size,
                    library,
                    storageGroup,
                    fileFamily,
                    priority,
                    verify,
                    callback,
                    token,
                    o,
                    avoidMovers,
                    copies,
                    hash);
        }

        /** The fields of a {@link WriteToHsm}, each set by name. */
        public static final class Builder {
            private final String path;
            private final long size;
            private String library;
            private String storageGroup;
            private String fileFamily;
            private int priority;
            private boolean verify;
            private String callback;
            private String token;
            private String owner;
            private List<String> avoidMovers = List.of();
            private int copies = 1;
            private String hash;

            private Builder(String path, long size) {
                this.path = path;
                this.size = size;
            }

            public Builder library(String library) {
                this.library = library;
                return this;
            }

            public Builder storageGroup(String storageGroup) {
                this.storageGroup = storageGroup;
                return this;
            }

            public Builder fileFamily(String fileFamily) {
                this.fileFamily = fileFamily;
                return this;
            }

            public Builder priority(int priority) {
                this.priority = priority;
                return this;
            }

            /** The mover reads the file back after writing it. */
            public Builder verify(boolean verify) {
                this.verify = verify;
                return this;
            }

            /** Where the client waits for the mover ({@code HOST:PORT}), and the token the mover shows it. */
            public Builder callback(String callback, String token) {
                this.callback = callback;
                this.token = token;
                return this;
            }

            public Builder owner(String owner) {
                this.owner = owner;
                return this;
            }

            /** Movers not to give the request to (they failed it before). */
            public Builder avoidMovers(List<String> movers) {
                this.avoidMovers = movers;
                return this;
            }

            public Builder copies(int copies) {
                this.copies = copies;
                return this;
            }

            /** A content hash to compute beside the Adler-32 ({@code sha256}, ...). */
            public Builder hash(String hash) {
                this.hash = hash;
                return this;
            }

            public WriteToHsm build() {
                return new WriteToHsm(
                        path,
                        size,
                        library,
                        storageGroup,
                        fileFamily,
                        priority,
                        verify,
                        callback,
                        token,
                        owner,
                        avoidMovers,
                        copies,
                        hash);
            }
        }
    }

    /**
     * copy_to_volume: queue a copy of an archived file, named by its path or by its content hash
     * ({@code sha256:HEX}, {@code md5:HEX}), to a volume (null: any other volume of its library with room).
     */
    public record CopyFile(String file, String volume, int priority) {}

    /** verify_volume: queue a read of every live file on the volume, each checked against its record. */
    public record VerifyVolume(String volume, int priority) {}

    /**
     * repack_volume: the live members of the volume's containers copied into new containers on {@code to}
     * (null: any other volume of its library with room), each member keeping its bfid and path, and the
     * old containers freed (docs/archive.md, "Repack").
     */
    public record RepackVolume(String volume, String to, int priority) {}

    /** One member a repack moved: its bfid, its cookie in the old container and in the new one, its size and Adler-32. */
    public record Moved(String bfid, String from, String to, long size, String adler32) {}

    /**
     * repack_commit: a repack's group commit. The new {@code container} ({@code containerSize} bytes, on the
     * job's target volume) is durable and holds {@code moved}: their locations switch in one transaction.
     * {@code finished}: old containers the mover has read to the end (every live member moved, or tried);
     * {@code freed}: old containers it has removed from the volume since the last commit.
     */
    public record RepackCommit(
            String moverId,
            long job,
            String container,
            long containerSize,
            List<Moved> moved,
            List<String> finished,
            List<String> freed) {}

    /**
     * The answer to repack_commit: how many members switched (a member deleted meanwhile stays where it
     * was), and which of the finished containers the mover may now remove ({@code free}: none of their
     * members lives there any more and no queued read still names them).
     */
    public record RepackAnswer(int switched, List<String> free) {}

    /** read_from_hsm from a user. */
    public record ReadFromHsm(String path, int priority, String callback, String token, List<String> avoidMovers) {}

    /**
     * A request as the queue holds it. {@code effectivePriority} includes aging or the admin override;
     * {@code mover} is the id of the mover running it, {@code moverName} the name people know it by. A
     * write or read carries {@code files} files (job_files lists them); its {@code path} is the first's,
     * its {@code size} their sum.
     */
    public record JobInfo(
            long id,
            String kind,
            String state,
            String path,
            long size,
            String bfid,
            String volume,
            String cookie,
            String adler32,
            String mover,
            int priority,
            Integer adminPriority,
            int effectivePriority,
            String storageGroup,
            String owner,
            String error,
            int attempts,
            Long mergedInto,
            long createdMs,
            long updatedMs,
            String target,
            int copies,
            String hash,
            Long parent,
            String result,
            String moverName,
            int files) {}

    public record JobList(List<JobInfo> jobs) {}

    /** job_ls: {@code all} includes finished requests (the most recent {@code limit}). */
    public record ListJobs(boolean all, int limit, Long parent) {
        public ListJobs(boolean all, int limit) {
            this(all, limit, null);
        }
    }

    /** clear_queue: every queued request is cancelled (running ones go on); the answer counts them. */
    public record Cleared(int cancelled) {}

    public record SetPriority(long id, Integer priority) {}

    /** A mover as the library manager sees it: catalog record, statistics and live state. */
    public record MoverInfo(
            String id,
            String name,
            String library,
            List<String> mediaTypes,
            String host,
            String state,
            String volume,
            long job,
            long bytesDone,
            long bytesTotal,
            double bytesPerSecond,
            long bytes,
            long files,
            long errors,
            long mounts,
            long seenMs) {}

    public record MoverList(List<MoverInfo> movers) {}

    /** mover_name: an administrator's friendly name for the mover with this id (or current name). */
    public record MoverName(String mover, String name) {}

    // ---- requests that carry many files (put -r, get -r; docs/archive.md, "Batches") -----------------

    /** One file a write_files request is to store: its namespace path and its size. */
    public record FileSpec(String path, long size) {}

    /**
     * write_files: many files in one request, sent by the client over one data connection (version 2) and
     * stored by the mover in containers when small. The options are write_to_hsm's, for every file.
     */
    public record WriteFiles(
            String library,
            String storageGroup,
            String fileFamily,
            int priority,
            boolean verify,
            String callback,
            String token,
            String owner,
            List<String> avoidMovers,
            int copies,
            String hash,
            List<FileSpec> files) {
        /** The same request for this owner (the server sets the session's: docs/security.md, "Owners"). */
        public WriteFiles withOwner(String o) {
            return new WriteFiles(
                    library,
                    storageGroup,
                    fileFamily,
                    priority,
                    verify,
                    callback,
                    token,
                    o,
                    avoidMovers,
                    copies,
                    hash,
                    files);
        }
    }

    /**
     * read_files: the files at these paths, read by movers (one request per volume) into the client that waits at the callback.
     * {@code avoidCopies}: bit files (originals or copies) whose bytes a mover of an earlier try could not read (missing, short,
     * or not the catalog's: {@link #copyAtFault}); their files are read from another copy, or refused when they have none.
     */
    public record ReadFiles(
            int priority,
            String callback,
            String token,
            List<String> avoidMovers,
            List<String> paths,
            List<String> avoidCopies) {
        public ReadFiles(int priority, String callback, String token, List<String> avoidMovers, List<String> paths) {
            this(priority, callback, token, avoidMovers, paths, List.of());
        }
    }

    /**
     * How a mover's verdict on one file of a read begins when the volume's copy of the file is to blame
     * ({@code mover.ClientRead}): its bytes could not be read (a missing file, an I/O error), there were fewer
     * than the catalog says, or their Adler-32 is not the catalog's. Such a failure counts against the volume
     * (read errors, the suspect-volume rule), and the client's next try reads another copy
     * ({@link ReadFiles#avoidCopies}) rather than the same bytes again.
     */
    public static final String CANNOT_READ = "cannot read ";

    public static final String SIZE_AT_MOVER = "size mismatch at mover";
    public static final String CRC_AT_MOVER = "CRC mismatch at mover";

    /** Whether a read's file error says that the volume's copy is bad (see {@link #CANNOT_READ}). */
    public static boolean copyAtFault(String why) {
        return why != null
                && (why.startsWith(CRC_AT_MOVER) || why.startsWith(SIZE_AT_MOVER) || why.startsWith(CANNOT_READ));
    }

    /** A file a request did not take, by its index in the call, with the error code's name and the reason. */
    public record Refused(int index, String code, String error) {}

    /**
     * Where one file of a read_files call went: its request ({@code job}), its size, Adler-32 and bfid as
     * the catalog has them, and its volume.
     */
    public record FileAt(int index, long job, long size, String adler32, String bfid, String volume) {}

    /** The answer to write_files (one request) and read_files (one per volume): what was queued, what was not. */
    public record FilesQueued(List<JobInfo> jobs, List<Refused> refused, List<FileAt> files) {}

    /** One file of a request as the catalog holds it: queued, done, failed or cancelled, and where it is once done. */
    public record FileState(
            int index,
            String path,
            long size,
            String state,
            String bfid,
            String volume,
            String cookie,
            String adler32,
            String error) {}

    public record JobFiles(List<FileState> files) {}

    /**
     * One file's outcome at the mover, in files_done: for a write, stored at {@code cookie} with its size,
     * Adler-32 and hash (ok), or not (error); for a read, sent and checked (ok), or not.
     */
    public record FileDone(
            int index, boolean ok, String cookie, long size, String adler32, String hash, String error) {}

    /**
     * files_done: a mover's group commit. For a write, every file of {@code files} that is ok is durable on
     * the volume (in {@code container}, {@code containerSize} bytes, when it is a container's member) and
     * is recorded now, all in one catalog transaction; for a read, the files' outcomes are noted.
     */
    public record FilesDone(String moverId, long job, String container, long containerSize, List<FileDone> files) {}

    /** What files_done recorded of one file: its bfid, or why not ({@code error}: nothing recorded for it). */
    public record Recorded(int index, String bfid, String error) {}

    public record RecordedList(List<Recorded> files) {}
}

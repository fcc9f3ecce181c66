package org.silo.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.SetPriority;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        description = {
            "Show and manage the library manager's queue of requests.",
            "The queue holds the requests waiting for a mover, running, and done."
        },
        subcommands = {
            JobCommand.Ls.class,
            JobCommand.Kill.class,
            JobCommand.Priority.class,
            JobCommand.Copy.class,
            JobCommand.Verify.class,
            JobCommand.Clear.class
        },
        footer = {
            "",
            "Examples:",
            "  silo job ls",
            "  silo job ls --all --limit 50",
            "  silo job kill 42",
            "  silo job copy /exp/a.dat --to VOL0007",
            "  silo job verify VOL0007",
            "  silo job clear",
            "  silo job priority 42 100     an administrator's priority; --clear goes back",
            "                               to aging"
        })
final class JobCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void table(List<JobInfo> jobs, SizeOption sizes) {
        Table t = new Table("ID", "KIND", "STATE", "PRI", "SIZE", "VOLUME", "MOVER", "TRIES", "QUEUED", "PATH", "NOTE")
                .rightAlign(0, 3, 4, 7);
        for (JobInfo j : jobs) {
            String pri = j.effectivePriority() + (j.adminPriority() != null ? "!" : "");
            String note = j.mergedInto() != null
                    ? "merged into " + j.mergedInto()
                    : j.error() != null
                            ? j.error()
                            : j.result() != null
                                    ? j.result()
                                    : j.kind().equals("copy") && j.target() != null ? "to " + j.target() : "";
            t.row(
                    j.id(),
                    j.kind(),
                    j.state(),
                    pri,
                    sizes.show(j.size()),
                    j.volume() == null ? "-" : j.volume(),
                    j.moverName() == null ? "-" : j.moverName(),
                    j.attempts(),
                    Instant.ofEpochMilli(j.createdMs()),
                    j.files() > 1 ? j.path() + " and " + (j.files() - 1) + " more" : j.path(),
                    note);
        }
        t.print();
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List queued and running requests (--all: finished ones too).",
            footer = {"", "Examples:", "  silo job ls", "  silo job ls --all --json"})
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--all", description = "Also the most recent finished requests.")
        boolean all;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "100",
                description = "At most N requests (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Mixin
        SizeOption sizes;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                List<JobInfo> jobs =
                        c.call(LibraryOps.JOB_LS, new ListJobs(all, limit)).jobs();
                if (json) {
                    Json.print(jobs);
                } else if (jobs.isEmpty() && !all) {
                    // right after a put the queue is empty: say so and where the finished jobs are, not an empty table
                    System.out.println(nothingQueued(
                            c.call(LibraryOps.JOB_LS, new ListJobs(true, limit))
                                    .jobs()
                                    .size(),
                            limit));
                } else {
                    table(jobs, sizes);
                }
            }
            return 0;
        }
    }

    /** What job ls says when nothing is queued or running: how many finished jobs --all would show. */
    static String nothingQueued(int finished, int limit) {
        if (finished == 0) {
            return "no jobs queued or running, and none finished";
        }
        return "no jobs queued or running; silo job ls --all shows the "
                + (finished == 1 ? "one" : finished >= limit ? finished + " most recent" : finished) + " finished";
    }

    @Command(
            name = "kill",
            mixinStandardHelpOptions = true,
            description = {
                "Cancel a request.",
                "A queued request leaves the queue; a running one stops at its mover's" + " next progress report."
            },
            footer = {"", "Examples:", "  silo job kill 42"})
    static final class Kill implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "ID", description = "The request, as job ls shows it.")
        long id;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                JobInfo j = c.call(LibraryOps.KILL_JOB, Long.toString(id));
                System.out.printf("job %d (%s %s): %s%n", j.id(), j.kind(), j.path(), j.state());
            }
            return 0;
        }
    }

    @Command(
            name = "copy",
            mixinStandardHelpOptions = true,
            description = {
                "Queue a copy of an archived file to another volume.",
                "A mover reads it, appends it to the volume, reads it back and checks its Adler-32. Without --to, the"
                        + " copy goes to any other volume of the file's library with room."
            },
            footer = {
                "",
                "Examples:",
                "  silo job copy /exp/a.dat",
                "  silo job copy sha256:9f86d0...0a08 --to VOL0007 --wait"
            })
    static final class Copy implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(
                paramLabel = "FILE",
                description =
                        "An archive path, or a content hash (sha256:HEX or md5:HEX) of a" + " file put with --hash.")
        String file;

        @Option(names = "--to", paramLabel = "VOLUME", description = "The volume to copy to.")
        String volume;

        @Option(names = "--priority", paramLabel = "N", defaultValue = "0", description = "Base priority (default: 0).")
        int priority;

        @Option(names = "--wait", description = "Wait until the copy is done; exit 1 if it failed.")
        boolean await;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                JobInfo j = c.call(
                        LibraryOps.COPY_TO_VOLUME,
                        new org.silo.archive.ops.LibraryMessages.CopyFile(file, volume, priority));
                System.out.printf("job %d: copy %s (%s) queued%n", j.id(), j.path(), j.bfid());
                return await ? finish(c, j.id()) : 0;
            }
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Queue a verify of a volume.",
                "A mover reads every live file on it and checks its size, Adler-32 and content hash; a bad file counts"
                        + " against the volume and fails the job, naming the file."
            },
            footer = {"", "Examples:", "  silo job verify VOL0007 --wait"})
    static final class Verify implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "VOLUME", description = "The volume to verify.")
        String volume;

        @Option(names = "--priority", paramLabel = "N", defaultValue = "0", description = "Base priority (default: 0).")
        int priority;

        @Option(names = "--wait", description = "Wait until the verify is done; exit 1 if any file was bad.")
        boolean await;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                JobInfo j = c.call(
                        LibraryOps.VERIFY_VOLUME,
                        new org.silo.archive.ops.LibraryMessages.VerifyVolume(volume, priority));
                System.out.printf(
                        "job %d: verify of %s queued (%s)%n", j.id(), volume, org.silo.wire.Sizes.format(j.size()));
                return await ? finish(c, j.id()) : 0;
            }
        }
    }

    @Command(
            name = "clear",
            mixinStandardHelpOptions = true,
            description = {"Cancel every queued request; running ones go on.", "It is an administrator's action."},
            footer = {"", "Examples:", "  silo job clear"})
    static final class Clear implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                int n = c.call(LibraryOps.CLEAR_QUEUE, null).cancelled();
                System.out.printf("%d queued request%s cancelled%n", n, n == 1 ? "" : "s");
            }
            return 0;
        }
    }

    /** Waits for a job to finish and prints how it ended; 0 if done, 1 otherwise. */
    static int finish(SiloClient c, long id) throws Exception {
        while (true) {
            JobInfo j = c.call(LibraryOps.JOB_INFO, Long.toString(id));
            if (!j.state().equals("queued") && !j.state().equals("active")) {
                System.out.printf(
                        "job %d %s%s%s%n",
                        j.id(),
                        j.state(),
                        j.result() == null ? "" : ": " + j.result(),
                        j.error() == null ? "" : ": " + j.error());
                return j.state().equals("done") ? 0 : Failures.FAILED;
            }
            Thread.sleep(200);
        }
    }

    @Command(
            name = "priority",
            mixinStandardHelpOptions = true,
            description = {
                "Set an administrator's priority for a request.",
                "It replaces the priority the request has aged to; --clear goes back to aging."
            },
            footer = {"", "Examples:", "  silo job priority 42 1000", "  silo job priority 42 --clear"})
    static final class Priority implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "ID", description = "The request, as job ls shows it.")
        long id;

        @Parameters(index = "1", paramLabel = "N", arity = "0..1", description = "The priority (without --clear).")
        Integer priority;

        @Option(names = "--clear", description = "Remove the administrator's priority.")
        boolean clear;

        @Override
        public Integer call() throws Exception {
            if (priority == null && !clear) {
                throw new IllegalArgumentException("give a priority N, or --clear");
            }
            try (SiloClient c = client.connect()) {
                JobInfo j = c.call(LibraryOps.SET_PRIORITY, new SetPriority(id, clear ? null : priority));
                System.out.printf("job %d: priority %d%n", j.id(), j.effectivePriority());
            }
            return 0;
        }
    }
}

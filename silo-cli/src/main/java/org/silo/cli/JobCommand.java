package org.silo.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.SetPriority;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.volume.Sizes;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "job", mixinStandardHelpOptions = true,
        description = {"The library manager's queue: requests waiting for a mover, running, and done."},
        subcommands = {JobCommand.Ls.class, JobCommand.Kill.class, JobCommand.Priority.class},
        footer = {"", "Examples:", "  silo job ls", "  silo job ls --all --limit 50", "  silo job kill 42",
            "  silo job priority 42 100        (an administrator's priority; --clear to go back to aging)"})
final class JobCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void table(List<JobInfo> jobs) {
        Table t = new Table("ID", "KIND", "STATE", "PRI", "SIZE", "VOLUME", "MOVER", "TRIES", "QUEUED", "PATH", "NOTE").rightAlign(0, 3, 4, 7);
        for (JobInfo j : jobs) {
            String pri = j.effectivePriority() + (j.adminPriority() != null ? "!" : "");
            String note = j.mergedInto() != null ? "merged into " + j.mergedInto() : j.error() == null ? "" : j.error();
            t.row(j.id(), j.kind(), j.state(), pri, Sizes.format(j.size()), j.volume() == null ? "-" : j.volume(),
                    j.mover() == null ? "-" : j.mover(), j.attempts(), Instant.ofEpochMilli(j.createdMs()), j.path(), note);
        }
        t.print();
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List queued and running requests (--all: finished ones too).",
            footer = {"", "Examples:", "  silo job ls", "  silo job ls --all --json"})
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--all", description = "Also the most recent finished requests.")
        boolean all;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N requests (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                List<JobInfo> jobs = c.call(LibraryOps.JOB_LS, new ListJobs(all, limit)).jobs();
                if (json) {
                    Json.print(jobs);
                } else {
                    table(jobs);
                }
            }
            return 0;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true,
            description = "Cancel a request: a queued one leaves the queue; a running one stops at its mover's next progress report.",
            footer = {"", "Examples:", "  silo job kill 42"})
    static final class Kill implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "ID")
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

    @Command(name = "priority", mixinStandardHelpOptions = true,
            description = "Set an administrator's priority for a request, replacing its aged priority (--clear: back to aging).",
            footer = {"", "Examples:", "  silo job priority 42 1000", "  silo job priority 42 --clear"})
    static final class Priority implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Parameters(index = "1", paramLabel = "N", arity = "0..1")
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

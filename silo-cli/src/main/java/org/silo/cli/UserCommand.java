package org.silo.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.server.access.AccessOps;
import org.silo.server.access.AccessStore;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "user",
        mixinStandardHelpOptions = true,
        description = {
            "Manage access lists (users): who may log in, with what rights.",
            "Make the first admin in the data directory, without a server (--data). Then an admin manages lists"
                    + " through the server.",
            "A grant, SERVICE:PREFIX:RIGHT, gives RIGHT (read, write or admin) on the objects of SERVICE (block,"
                    + " archive, access, core, or * for all) whose names start with PREFIX."
        },
        subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Rm.class},
        footer = {
            "",
            "Examples:",
            "  echo \"$PW\" | silo user add root --admin --password-stdin --data ./silo-data",
            "                       the first admin, made with the server stopped",
            "  silo login root",
            "  silo user add alice --grant block:alice-:admin \\",
            "      --grant archive:/home/alice/:write",
            "  silo user add retro --no-password --grant block:retro:write",
            "  silo user passwd alice",
            "  silo user rm alice"
        })
final class UserCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static AccessOps.Verifier wire(Scram.Verifier v) {
        return v == null ? null : new AccessOps.Verifier(v.salt(), v.iterations(), v.storedKey(), v.serverKey());
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Add an access list.",
            footer = {
                "",
                "Examples:",
                "  silo user add alice --grant archive:/home/alice/:write",
                "  silo user add retro --no-password --grant block:retro:write"
            })
    static final class Add implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "The new list's name.")
        String name;

        @Option(names = "--admin", description = "Every right on everything.")
        boolean admin;

        @Option(
                names = "--grant",
                paramLabel = "SERVICE:PREFIX:RIGHT",
                description = "RIGHT (read, write or admin) on the"
                        + " objects of SERVICE (block, archive, access, core, or * for all) whose names start with PREFIX; this"
                        + " option may be repeated.")
        List<String> grants = new ArrayList<>();

        @Option(names = "--password-stdin", description = "Read the password as a line of standard input.")
        boolean stdin;

        @Option(names = "--no-password", description = "An unprotected list: anyone may LOGIN to it.")
        boolean noPassword;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "Change the data directory directly, without a server (for the first admin).")
        Path data;

        @Override
        public Integer call() throws Exception {
            grants.forEach(Grant::parse);
            Scram.Verifier v = noPassword
                    ? null
                    : Scram.Verifier.of(Passwords.read(stdin, "password for " + name, true), Scram.DEFAULT_ITERATIONS);
            if (data != null) {
                AccessStore.open(data).add(name, admin, v, grants);
                System.out.printf(
                        "added access list %s in %s (a running server sees it after a restart)%n", name, data);
                return 0;
            }
            try (SiloClient c = client.connect()) {
                c.call(AccessOps.USER_ADD, new AccessOps.AddUser(name, admin, grants, wire(v)));
            }
            System.out.println("added access list " + name);
            return 0;
        }
    }

    @Command(
            name = "passwd",
            mixinStandardHelpOptions = true,
            description = {"Set a list's password.", "Your own, or any as an admin."})
    static final class Passwd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "The access list.")
        String name;

        @Option(names = "--password-stdin", description = "Read the new password as a line of standard input.")
        boolean stdin;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "Change the data directory directly, without a server.")
        Path data;

        @Override
        public Integer call() throws Exception {
            Scram.Verifier v = Scram.Verifier.of(
                    Passwords.read(stdin, "new password for " + name, true), Scram.DEFAULT_ITERATIONS);
            if (data != null) {
                AccessStore.open(data).passwd(name, v);
            } else {
                try (SiloClient c = client.connect()) {
                    c.call(AccessOps.USER_PASSWD, new AccessOps.Passwd(name, wire(v)));
                }
            }
            System.out.println("password of " + name + " changed; saved logins of it must log in again");
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove an access list.")
    static final class Rm implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "The access list.")
        String name;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "Change the data directory directly, without a server.")
        Path data;

        @Override
        public Integer call() throws Exception {
            if (data != null) {
                AccessStore.open(data).remove(name);
            } else {
                try (SiloClient c = client.connect()) {
                    c.call(AccessOps.USER_RM, new AccessOps.Name(name));
                }
            }
            System.out.println("removed access list " + name);
            return 0;
        }
    }
}

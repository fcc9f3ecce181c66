package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.server.access.AccessOps;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "acl",
        mixinStandardHelpOptions = true,
        description = "Show the access lists and what anonymous sessions may do.",
        subcommands = AclCommand.Ls.class,
        footer = {"", "Example:", "  silo acl ls"})
final class AclCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the access lists.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            AccessOps.Lists lists;
            try (SiloClient c = client.connect()) {
                lists = c.call(AccessOps.ACL_LIST, null);
            }
            if (json) {
                Json.print(lists);
                return 0;
            }
            Table t = new Table("LIST", "PASSWORD", "RIGHTS");
            for (AccessOps.ListView v : lists.lists()) {
                String rights = (v.admin() ? "admin" : "")
                        + (v.admin() && !v.grants().isEmpty() ? ", " : "")
                        + String.join(", ", v.grants());
                t.row(v.name(), v.isProtected() ? "yes" : "no", rights.isEmpty() ? "-" : rights);
            }
            t.row("(anonymous)", "-", lists.anonymous());
            t.print();
            return 0;
        }
    }
}

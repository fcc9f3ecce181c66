package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "login",
        mixinStandardHelpOptions = true,
        description = {
            "Log in to an access list.",
            "Later commands to the same server use the login.",
            "The password is proved with SCRAM-SHA-256 and never sent; what is kept (mode 0600, in"
                    + " $XDG_CONFIG_HOME/silo or ~/.config/silo) is a key that stops working when the password changes."
        },
        footer = {
            "",
            "Examples:",
            "  silo login alice",
            "  echo \"$PW\" | silo login alice --password-stdin --server host:7400"
        })
final class LoginCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Parameters(paramLabel = "NAME", description = "The access list.")
    String name;

    @Option(names = "--password-stdin", description = "Read the password as a line of standard input.")
    boolean stdin;

    @Override
    public Integer call() throws Exception {
        try (SiloClient c = SiloClient.connect(client.options())) {
            Scram.Keys keys;
            if (stdin) {
                keys = c.login(name, Passwords.read(true, "", false));
            } else {
                try {
                    keys = c.login(name, new char[0]); // an unprotected list needs no password
                } catch (org.silo.wire.SiloException e) {
                    if (!e.getMessage().contains("needs its password")) {
                        throw e;
                    }
                    keys = c.login(name, Passwords.read(false, "password for " + name, false));
                }
            }
            if (keys != null) {
                Logins.save(
                        client.serverAddress(),
                        new Logins.Saved(name, keys.salt(), keys.iterations(), keys.clientKey(), keys.serverKey()));
            }
            System.out.printf("logged in to %s as %s: %s%n", client.serverAddress(), name, c.rights());
        }
        return 0;
    }
}

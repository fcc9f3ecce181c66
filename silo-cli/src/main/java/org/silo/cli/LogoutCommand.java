package org.silo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "logout",
        mixinStandardHelpOptions = true,
        description = {"Forget the saved login for the server.", "Later commands are anonymous."},
        footer = {"", "Example:", "  silo logout --server host:7400"})
final class LogoutCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Override
    public Integer call() throws Exception {
        boolean had = Logins.remove(client.serverAddress());
        System.out.println(
                had ? "logged out of " + client.serverAddress() : "no saved login for " + client.serverAddress());
        return 0;
    }
}

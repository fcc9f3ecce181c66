package org.silo.cli;

import org.silo.server.Version;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"silo " + Version.VERSION + " (Java " + Runtime.version() + ")"};
    }
}

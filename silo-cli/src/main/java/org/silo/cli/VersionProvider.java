package org.silo.cli;

import org.silo.archive.catalog.Schema;
import org.silo.server.Version;
import picocli.CommandLine;

/**
 * {@code silo --version}: this build, the Java it runs on, and the catalog schema version its server
 * migrates a catalog to ({@link Schema#VERSION}, a constant: saying it loads no database code).
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "silo " + Version.VERSION + " (Java " + Runtime.version() + "; catalog schema " + Schema.VERSION + ")"
        };
    }
}

package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.Backup;
import org.silo.archive.ops.VolumeMessages.BackupResult;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "backup",
        mixinStandardHelpOptions = true,
        description = {
            "Copy the archive catalog while the server runs.",
            "SQLite's online backup or PostgreSQL's pg_dump makes the copy consistent."
        },
        footer = {
            "",
            "Examples:",
            "  silo backup catalog-2026-11-23.db",
            "  silo backup /srv/backups/catalog.dump --json",
            "",
            "Restore it with the server stopped: silo restore FILE --data DIR"
        })
final class BackupCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Parameters(paramLabel = "DEST", description = "A file on the server; a relative path is in <data>/backups/ there.")
    String dest;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (SiloClient c = client.connect()) {
            BackupResult r = c.call(VolumeClerkOps.BACKUP, new Backup(dest));
            if (json) {
                Json.print(r);
            } else {
                System.out.printf(
                        "%s catalog backed up to %s (%d bytes, %d ms)%n", r.engine(), r.dest(), r.bytes(), r.millis());
            }
        }
        return 0;
    }
}

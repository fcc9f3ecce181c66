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

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Write a consistent copy of the archive catalog while the server runs (SQLite online backup,",
            "or pg_dump for PostgreSQL). DEST is a file on the server; a relative one goes under <data>/backups/."},
        footer = {"", "Examples:", "  silo backup catalog-2026-11-23.db", "  silo backup /srv/backups/catalog.dump --json",
            "", "Restore it with the server stopped: silo restore FILE --data DIR"})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Parameters(paramLabel = "DEST")
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
                System.out.printf("%s catalog backed up to %s (%d bytes, %d ms)%n", r.engine(), r.dest(), r.bytes(), r.millis());
            }
        }
        return 0;
    }
}

package org.silo.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.silo.archive.catalog.CatalogBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = {
            "Put a catalog backup made by 'silo backup' back in place.",
            "Run it with the server stopped, on the server's host: SQLite replaces <data>/catalog.db; PostgreSQL runs"
                    + " pg_restore --clean."
        },
        footer = {
            "",
            "Examples:",
            "  silo restore silo-data/backups/catalog-2026-11-23.db --data silo-data",
            "  silo restore /srv/backups/catalog.dump \\",
            "      --catalog 'jdbc:postgresql://db1/silo?user=silo'"
        })
final class BackupRestoreCommand implements Callable<Integer> {
    @Parameters(paramLabel = "BACKUP", description = "The file 'silo backup' wrote.")
    Path backup;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            defaultValue = "silo-data",
            description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--catalog", paramLabel = "URL", description = "The server's 'catalog' setting, if not SQLite.")
    String catalog;

    @Override
    public Integer call() throws Exception {
        CatalogBackup.restore(backup, data, catalog);
        System.out.printf("restored %s%n", backup);
        return 0;
    }
}

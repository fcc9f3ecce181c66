package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.CatalogBackup;
import org.silo.wire.ErrorCode;

/** The catalog suite on SQLite in the data directory (the default). */
class SqliteArchiveTest extends ArchiveContract {
    @Override
    String freshCatalog() {
        return null;
    }

    @Test
    void sqliteCatalogIsInTheDataDirectoryInWalMode() throws Exception {
        assertThat(archive.catalog().engine()).isEqualTo(Catalog.Engine.SQLITE);
        assertThat(Files.exists(data.resolve("catalog.db"))).isTrue();
        String mode = archive.catalog()
                .tx(c -> org.silo.archive.catalog.Sql.one(c, "PRAGMA journal_mode", rs -> rs.getString(1))
                        .orElseThrow());
        assertThat(mode).isEqualToIgnoringCase("wal");
        long fk = archive.catalog().tx(c -> org.silo.archive.catalog.Sql.count(c, "PRAGMA foreign_keys"));
        assertThat(fk).isEqualTo(1);
    }

    @Test
    void restoreRefusesAFileThatIsNotABackup() throws Exception {
        var junk = data.resolve("junk.bak");
        Files.writeString(junk, "this is not a database at all");
        fails(ErrorCode.INVALID, () -> CatalogBackup.restore(junk, data, null));
    }

    @Test
    void anUnknownCatalogSettingIsRefused() {
        assertThat(fails(ErrorCode.INVALID, () -> Catalog.open(data, "mysql://x"))
                        .getMessage())
                .contains("jdbc:postgresql");
    }
}

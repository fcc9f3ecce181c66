package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.wire.ErrorCode;

/**
 * ls at scale and its paging (docs/archive.md, "Namespace"), on SQLite ({@link SqliteLargeDirectoryTest})
 * and PostgreSQL ({@link PostgresLargeDirectoryTest}): a directory of 100,000 files, put into the
 * catalog directly (a put of that many through the movers is another test's business), listed whole and
 * a page at a time by its cursor.
 */
abstract class LargeDirectoryContract {
    static final int FILES = 100_000;

    @TempDir
    Path data;

    ArchiveService archive;

    abstract String freshCatalog() throws Exception;

    void dropCatalog() throws Exception {}

    @BeforeEach
    void open() throws Exception {
        archive = ArchiveService.open(data, freshCatalog());
    }

    @AfterEach
    void close() throws Exception {
        if (archive != null) {
            archive.close();
        }
        dropCatalog();
    }

    /** {@code n} files /DIR/f0000000 ... each with its own bit file: size i, Adler-32 and cookie from i. */
    void fill(String dir, int n) throws Exception {
        archive.namespace().mkdir(dir, true, "t");
        archive.catalog().tx(c -> {
            long parent = Sql.one(
                            c,
                            "SELECT id FROM ns_entry WHERE parent_id = 1 AND name = ?",
                            rs -> rs.getLong(1),
                            dir.substring(1))
                    .orElseThrow();
            try (PreparedStatement bf = c.prepareStatement(
                            "INSERT INTO bit_file (bfid, volume, cookie, size, adler32, path, owner, state,"
                                    + " created_ms, updated_ms) VALUES (?, 'DEF001', ?, ?, ?, ?, 't', 'active', 1, 1)");
                    PreparedStatement ns = c.prepareStatement(
                            "INSERT INTO ns_entry (parent_id, name, kind, bfid, owner, created_ms, modified_ms)"
                                    + " VALUES (?, ?, 'f', ?, 't', 1, 1)")) {
                for (int i = 0; i < n; i++) {
                    String name = String.format("f%07d", i);
                    String bfid = String.format("B%018d", i + 1);
                    bf.setString(1, bfid);
                    bf.setString(2, String.format("0000_000000000_%07d", i + 1));
                    bf.setLong(3, i);
                    bf.setString(4, String.format("%08x", i));
                    bf.setString(5, dir + "/" + name);
                    bf.addBatch();
                    ns.setLong(1, parent);
                    ns.setString(2, name);
                    ns.setString(3, bfid);
                    ns.addBatch();
                    if (i % 5000 == 4999 || i == n - 1) {
                        bf.executeBatch();
                        ns.executeBatch();
                    }
                }
            }
            return null;
        });
    }

    @Test
    void aDirectoryOfAHundredThousandFilesIsListedWholeAndPageByPage() throws Exception {
        fill("/big", FILES);
        archive.namespace().mkdir("/big/sub", false, "t");

        List<NsEntry> whole = archive.namespace().ls("/big");
        assertThat(whole).hasSize(FILES + 1);

        List<NsEntry> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            NsList page = archive.namespace().ls("/big", cursor, 1000);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(1000);
            paged.addAll(page.entries());
            cursor = page.next();
            if (cursor != null) {
                assertThat(cursor)
                        .isEqualTo(page.entries().get(page.entries().size() - 1).name());
            }
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(101); // 100,001 entries: 100 full pages and one of a single entry
        assertThat(paged).isEqualTo(whole);
        assertThat(paged).extracting(NsEntry::name).doesNotHaveDuplicates().isSorted();
        for (int i = 0; i < FILES; i++) {
            NsEntry e = paged.get(i);
            // each file with its own bit file's fields, from the one joined SELECT
            assertThat(e.name()).isEqualTo(String.format("f%07d", i));
            assertThat(e.path()).isEqualTo("/big/" + e.name());
            assertThat(e.kind()).isEqualTo("file");
            assertThat(e.size()).isEqualTo(i);
            assertThat(e.adler32()).isEqualTo(String.format("%08x", i));
            assertThat(e.bfid()).isEqualTo(String.format("B%018d", i + 1));
            assertThat(e.volume()).isEqualTo("DEF001");
        }
        NsEntry sub = paged.get(FILES);
        assertThat(sub.name()).isEqualTo("sub");
        assertThat(sub.kind()).isEqualTo("dir");
        assertThat(sub.bfid()).isNull();
    }

    @Test
    void aCursorIsANameSoChangesBetweenPagesNeitherRepeatNorHideEntries() throws Exception {
        fill("/d", 10);
        NsList first = archive.namespace().ls("/d", null, 4);
        assertThat(first.entries())
                .extracting(NsEntry::name)
                .containsExactly("f0000000", "f0000001", "f0000002", "f0000003");
        assertThat(first.next()).isEqualTo("f0000003");
        // the cursor's own entry goes away, and one is added before it: the next page starts where it did
        archive.namespace().rm("/d/f0000003");
        archive.namespace().mv("/d/f0000009", "/d/a-first");
        NsList second = archive.namespace().ls("/d", first.next(), 4);
        assertThat(second.entries())
                .extracting(NsEntry::name)
                .containsExactly("f0000004", "f0000005", "f0000006", "f0000007");
        NsList last = archive.namespace().ls("/d", second.next(), 4);
        assertThat(last.entries()).extracting(NsEntry::name).containsExactly("f0000008");
        assertThat(last.next()).isNull();
        // a page that ends exactly at the end has no cursor
        assertThat(archive.namespace().ls("/d", "f0000004", 4).next()).isNull();
        assertThat(archive.namespace().ls("/d", "zzz", 4).entries()).isEmpty();
        // a file lists itself; a missing path is NOT_FOUND
        assertThat(archive.namespace().ls("/d/f0000001", null, 4).entries())
                .extracting(NsEntry::size)
                .containsExactly(1L);
        assertThat(ArchiveContract.fails(
                                ErrorCode.NOT_FOUND, () -> archive.namespace().ls("/nope", null, 4))
                        .getMessage())
                .contains("/nope");
    }
}

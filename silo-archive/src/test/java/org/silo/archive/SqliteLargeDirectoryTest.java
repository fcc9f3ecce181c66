package org.silo.archive;

/** {@link LargeDirectoryContract} on SQLite. */
class SqliteLargeDirectoryTest extends LargeDirectoryContract {
    @Override
    String freshCatalog() {
        return null;
    }
}

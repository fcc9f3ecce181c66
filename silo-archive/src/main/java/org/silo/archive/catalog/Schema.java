package org.silo.archive.catalog;

/**
 * The catalog schema this build migrates to: the version of the last Flyway migration under
 * {@code db/migration/sqlite} and {@code db/migration/postgresql} (the two always end at the same
 * version; SchemaTest checks both against this). A constant, not a scan of the migrations, so that
 * {@code silo --version} says it without loading Flyway.
 */
public final class Schema {
    private Schema() {}

    /** The latest migration's version; a new migration raises it in the same commit. */
    public static final String VERSION = "12";
}

package org.silo.block.image;

/**
 * A refused or failed image operation. The {@link Reason} lets each protocol map the failure to its
 * own wire error (Blockhead reply codes, NBD option and command errors, Silo message errors).
 */
public final class ImageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why an image operation was refused. */
    public enum Reason {
        /** The name breaks the naming rules (empty, over 255 bytes, '/', '\\', NUL, '..', "."). */
        INVALID_NAME,
        /** No image has that name. */
        NOT_FOUND,
        /** An image with that name already exists. */
        EXISTS,
        /** A write open or a write was attempted on a read-only image. */
        READ_ONLY,
        /** The image is held open (by a writer, or by anyone for remove and resize). */
        BUSY,
        /** The size is not a positive multiple of 512 bytes. */
        INVALID_SIZE,
        /** The file system failed. */
        IO
    }

    private final Reason reason;

    public ImageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

package org.silo.block.image;

import java.util.List;

/**
 * One line of {@code disk ls}.
 *
 * @param name the image name
 * @param sizeBytes the size a client sees
 * @param allocatedBytes bytes backed by disk blocks (smaller than the size for a sparse image; equal
 *     to the size when holes cannot be detected)
 * @param readOnly whether the image refuses writes
 * @param holders who has the image open, e.g. {@code "nbd /127.0.0.1:40000 (write)"}
 * @param policy who may use it over Blockhead and NBD: the one set for it, else the store's default
 */
public record ImageInfo(
        String name, long sizeBytes, long allocatedBytes, boolean readOnly, List<String> holders, Policy policy) {
    public ImageInfo {
        holders = List.copyOf(holders);
        java.util.Objects.requireNonNull(policy, "policy");
    }

    /** An image with the default policy, {@code open}. */
    public ImageInfo(String name, long sizeBytes, long allocatedBytes, boolean readOnly, List<String> holders) {
        this(name, sizeBytes, allocatedBytes, readOnly, holders, Policy.OPEN);
    }
}

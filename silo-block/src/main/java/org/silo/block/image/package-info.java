/**
 * The image store shared by both block protocols: sparse image files in one directory, name rules,
 * the read-only flag (owner-write bit) and the one-writer lock. Entry point: {@link
 * org.silo.block.image.ImageStore}.
 */
package org.silo.block.image;

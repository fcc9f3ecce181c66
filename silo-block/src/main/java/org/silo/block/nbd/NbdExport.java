package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import org.silo.block.image.BlockDevice;

/**
 * What one connection negotiated: the device it serves and the options that change how replies look.
 *
 * @param device the open image lease or {@link MoreExports} device, closed when the connection ends
 * @param readOnly served read-only whatever the device says: a {@link MoreExports} export always is
 * @param structured whether NBD_OPT_STRUCTURED_REPLY was accepted
 * @param baseAllocation whether base:allocation was selected with SET_META_CONTEXT
 */
record NbdExport(BlockDevice device, boolean readOnly, boolean structured, boolean baseAllocation) {

    /** An image lease, writable when the lease is. */
    NbdExport(BlockDevice device, boolean structured, boolean baseAllocation) {
        this(device, false, structured, baseAllocation);
    }

    /** Whether WRITE, TRIM and WRITE_ZEROES may run; else they get EPERM. */
    boolean writable() {
        return !readOnly && device.writable();
    }

    /**
     * Transmission flags. CAN_MULTI_CONN only on a read-only connection: a writable image has one
     * writer connection at most (the store's rule), so there is nothing to fan out writes to, and
     * readers share the writer's channel, so they see every write and a FLUSH covers them all.
     */
    int transmissionFlags() {
        return transmissionFlags(!writable(), structured);
    }

    static int transmissionFlags(boolean readOnly, boolean structured) {
        int flags = TF_HAS_FLAGS | TF_SEND_FLUSH | TF_SEND_FUA | TF_SEND_TRIM | TF_SEND_WRITE_ZEROES | TF_SEND_CACHE;
        if (readOnly) {
            flags |= TF_READ_ONLY | TF_CAN_MULTI_CONN;
        }
        if (structured) {
            flags |= TF_SEND_DF; // every READ is one chunk, so "don't fragment" always holds
        }
        return flags;
    }
}

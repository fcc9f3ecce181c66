package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.Extent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks and runs NBD commands against one export; thread-safe (the device is). */
final class NbdCommands {
    private static final Logger LOG = LoggerFactory.getLogger(NbdCommands.class);
    private static final int MAX_EXTENTS = 1024;

    private final NbdExport export;
    private final BlockDevice device;
    private final NbdCounters counters;

    NbdCommands(NbdExport export, NbdCounters counters) {
        this.export = export;
        this.device = export.device();
        this.counters = counters;
    }

    /** The flags each command accepts; FUA is valid on every command (proto.md, FUA). */
    private int allowedFlags(int type) {
        return switch (type) {
            case CMD_READ -> CMD_FLAG_FUA | (export.structured() ? CMD_FLAG_DF : 0);
            case CMD_WRITE, CMD_FLUSH, CMD_TRIM, CMD_CACHE, CMD_DISC -> CMD_FLAG_FUA;
            case CMD_WRITE_ZEROES -> CMD_FLAG_FUA | CMD_FLAG_NO_HOLE;
            case CMD_BLOCK_STATUS -> CMD_FLAG_FUA | CMD_FLAG_REQ_ONE;
            default -> -1;
        };
    }

    /** 0 when the request may run, else the NBD error to answer with. */
    int check(NbdMessage.Request r) {
        int allowed = allowedFlags(r.type());
        if (allowed < 0 || (r.flags() & ~allowed) != 0) {
            return EINVAL;
        }
        boolean writes = r.type() == CMD_WRITE || r.type() == CMD_TRIM || r.type() == CMD_WRITE_ZEROES;
        if (writes && !export.writable()) {
            return EPERM;
        }
        if (r.type() == CMD_BLOCK_STATUS && (!export.baseAllocation() || r.length() == 0)) {
            return EINVAL;
        }
        if (r.type() == CMD_READ && r.length() > MAX_PAYLOAD) {
            // Over the maximum payload we advertise: proto.md's errors section answers requests outside
            // the constraints with EINVAL (EOVERFLOW is only for READ with DF), and the connection goes on.
            return EINVAL;
        }
        if (r.type() != CMD_FLUSH && (r.offset() < 0 || r.offset() > device.size() - r.length())) {
            return r.type() == CMD_WRITE || r.type() == CMD_WRITE_ZEROES ? ENOSPC : EINVAL;
        }
        return 0;
    }

    /** Runs a checked request and returns its encoded reply. */
    ByteBuf execute(ByteBufAllocator alloc, NbdMessage.Request r) {
        try {
            return switch (r.type()) {
                case CMD_READ -> read(alloc, r);
                case CMD_WRITE -> {
                    write(r.data(), r.offset());
                    counters.writes.increment();
                    yield done(alloc, r);
                }
                case CMD_FLUSH -> {
                    device.flush();
                    yield ok(alloc, r);
                }
                case CMD_TRIM -> {
                    device.trim(r.offset(), r.length());
                    yield done(alloc, r);
                }
                case CMD_WRITE_ZEROES -> {
                    device.writeZeroes(r.offset(), r.length(), (r.flags() & CMD_FLAG_NO_HOLE) == 0);
                    yield done(alloc, r);
                }
                case CMD_BLOCK_STATUS -> blockStatus(alloc, r);
                // CACHE is advisory; the page cache already holds what was read recently.
                case CMD_CACHE -> ok(alloc, r);
                default -> errorReply(alloc, r, EINVAL, "unknown command");
            };
        } catch (IOException e) {
            LOG.warn("nbd {} on {} at {}: {}", r.type(), device.name(), r.offset(), e.toString());
            counters.errors.increment();
            return errorReply(alloc, r, EIO, e.getMessage() == null ? "I/O error" : e.getMessage());
        }
    }

    /**
     * A READ answered from the device's memory view ({@link BlockDevice#view}), or null when it cannot
     * be (the device has no view there, the range crosses a mapping chunk, or reading it failed):
     * the caller then runs it as any other request, whose pread reports a real error as EIO.
     */
    ByteBuf readMapped(ByteBufAllocator alloc, NbdMessage.Request r) {
        int len = (int) r.length();
        if (len == 0) {
            return null;
        }
        ByteBuf out = null;
        try {
            ByteBuffer view = device.view(r.offset(), len);
            if (view == null) {
                return null;
            }
            out = dataReply(alloc, r, len);
            out.writeBytes(view);
            counters.reads.increment();
            return out;
        } catch (IOException | InternalError e) { // InternalError: a disk error met through the mapping
            if (out != null) {
                out.release();
            }
            return null;
        }
    }

    /**
     * A READ's reply up to its data, in a buffer with room for {@code len} bytes of it: a simple reply,
     * or a structured OFFSET_DATA chunk with the DONE flag (proto.md).
     */
    private ByteBuf dataReply(ByteBufAllocator alloc, NbdMessage.Request r, int len) {
        ByteBuf out = alloc.directBuffer((export.structured() ? 28 : 16) + len);
        if (export.structured()) {
            NbdCodec.chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_OFFSET_DATA, r.cookie(), 8 + len)
                    .writeLong(r.offset());
        } else {
            NbdCodec.simpleReply(out, 0, r.cookie());
        }
        return out;
    }

    private ByteBuf read(ByteBufAllocator alloc, NbdMessage.Request r) throws IOException {
        int len = (int) r.length();
        counters.reads.increment();
        if (export.structured() && len == 0) {
            return NbdCodec.chunkHeader(alloc.buffer(20), REPLY_FLAG_DONE, REPLY_TYPE_NONE, r.cookie(), 0);
        }
        ByteBuf out = dataReply(alloc, r, len);
        try {
            int at = out.writerIndex();
            device.read(out.nioBuffer(at, len), r.offset());
            out.writerIndex(at + len);
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private void write(ByteBuf data, long offset) throws IOException {
        long pos = offset;
        for (ByteBuffer b : data.nioBuffers()) {
            int n = b.remaining();
            device.write(b, pos);
            pos += n;
        }
    }

    private ByteBuf blockStatus(ByteBufAllocator alloc, NbdMessage.Request r) throws IOException {
        int max = (r.flags() & CMD_FLAG_REQ_ONE) != 0 ? 1 : MAX_EXTENTS;
        List<Extent> extents = device.extents(r.offset(), r.length(), max);
        return NbdCodec.blockStatusChunk(alloc, r.cookie(), META_ID_BASE_ALLOCATION, extents);
    }

    /** Success for a write command, forcing it to stable storage first when FUA is set. */
    private ByteBuf done(ByteBufAllocator alloc, NbdMessage.Request r) throws IOException {
        if ((r.flags() & CMD_FLAG_FUA) != 0) {
            device.flush();
        }
        return ok(alloc, r);
    }

    private static ByteBuf ok(ByteBufAllocator alloc, NbdMessage.Request r) {
        return NbdCodec.simpleReply(alloc.buffer(16), 0, r.cookie());
    }

    /**
     * An error reply: a structured ERROR chunk for READ and BLOCK_STATUS once structured replies
     * are on (their replies must be structured), a simple reply otherwise.
     */
    ByteBuf errorReply(ByteBufAllocator alloc, NbdMessage.Request r, int error, String message) {
        if (export.structured() && (r.type() == CMD_READ || r.type() == CMD_BLOCK_STATUS)) {
            return NbdCodec.errorChunk(alloc, r.cookie(), error, message);
        }
        return NbdCodec.simpleReply(alloc.buffer(16), error, r.cookie());
    }
}

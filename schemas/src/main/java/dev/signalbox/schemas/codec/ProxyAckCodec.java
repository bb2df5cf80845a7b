package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.ack.ProxyAck;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes and decodes {@link ProxyAck}s, the acknowledgements topic's values (JSON). */
public final class ProxyAckCodec {
    private ProxyAckCodec() {
    }

    public static byte[] encode(ProxyAck ack) {
        try {
            return Json.MAPPER.writeValueAsBytes(ack);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws DecodeException when the bytes are not an acknowledgement this reader can read */
    public static ProxyAck decode(byte[] bytes) throws DecodeException {
        ProxyAck a;
        try {
            a = Json.MAPPER.readValue(bytes, ProxyAck.class);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(e.getMessage(), e);
        }
        if (a.formatVersion() < 1 || a.formatVersion() > FormatVersion.CURRENT) {
            throw new DecodeException("acknowledgement format version " + a.formatVersion() + " is not supported");
        }
        return a;
    }
}

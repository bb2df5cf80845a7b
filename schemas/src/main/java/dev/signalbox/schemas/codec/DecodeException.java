package dev.signalbox.schemas.codec;

import java.io.IOException;

/** The bytes are not a record this reader can read: not JSON, a newer format version, a wrong content hash. */
public final class DecodeException extends IOException {
    public DecodeException(String message) {
        super(message);
    }

    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}

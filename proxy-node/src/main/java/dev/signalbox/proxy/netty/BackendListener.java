package dev.signalbox.proxy.netty;

import io.netty.handler.codec.http.HttpObject;

/** The exchange a backend connection currently serves; called on the connection's event loop. */
interface BackendListener {
    /** A decoded response part; the listener owns it. */
    void onResponse(HttpObject msg);

    /** The parts decoded from one socket read were all handed over: what was written for them may be flushed. */
    void onResponseReadComplete();

    /** The connection closed or failed; {@code cause} is null for an orderly close. */
    void onBackendClosed(Throwable cause);
}

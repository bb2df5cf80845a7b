package dev.signalbox.proxy.netty;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The HTTP/1.1 codecs of both sides of the proxy, configured in one place. Header validation is Netty's default on
 * both (the request decoder leaves names to it, so it is part of the request-smuggling defences; a backend's fields
 * are validated before they reach a client).
 *
 * <p>Trailers: Netty's decoders end every message that has a body with a {@code LastHttpContent} that carries a
 * trailers object of its own, made by the trailers factory whether or not the message has trailers (only chunked
 * messages can). The default one is a header map with 16 buckets; {@link #TRAILERS} makes one with two (Netty's
 * "empty headers" size, same validation): a smaller array per response, and trailers, rare, still work.
 */
final class Http1Codecs {
    static final HttpHeadersFactory TRAILERS = new HttpHeadersFactory() {
        private final DefaultHttpHeadersFactory validating = DefaultHttpHeadersFactory.trailersFactory();

        @Override
        public HttpHeaders newHeaders() {
            return validating.newEmptyHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return validating.newEmptyHeaders();
        }
    };

    private Http1Codecs() {
    }

    /** For a client connection: a request line up to 8 KiB, a head up to 16 KiB, body parts up to 64 KiB. */
    static HttpServerCodec clientSide() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setMaxChunkSize(65536)
                .setTrailersFactory(TRAILERS));
    }

    /** For a backend connection: Netty's default limits (a status line up to 4 KiB, a head up to 8 KiB). */
    static HttpClientCodec backendSide() {
        return new HttpClientCodec(new HttpDecoderConfig().setTrailersFactory(TRAILERS),
                HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST, HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE);
    }
}

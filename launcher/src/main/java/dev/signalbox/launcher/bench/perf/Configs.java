package dev.signalbox.launcher.bench.perf;

import java.nio.file.Path;

/**
 * The configuration files of the backend and of the two anchors, set up fairly: one worker (or thread) each,
 * as Signalbox gets one event loop; an upstream keep-alive pool larger than the largest client concurrency (a
 * smaller pool makes any proxy collapse at 256 connections); no access log; request bodies streamed, not
 * buffered; TLS 1.3 with the same certificate. Pure text.
 */
public final class Configs {
    /** Larger than the 256 connections of the largest case. */
    static final int UPSTREAM_POOL = 512;

    private Configs() {
    }

    /**
     * The backend: {@code /} answers "ok" (2 bytes), {@code /16k} a 16 KiB file, {@code /upload} reads the whole body,
     * then answers "ok". nginx's {@code return} alone would answer before the body arrived and discard the rest, so
     * an upload would measure nothing; {@code /upload} is proxied to {@code /ok} on the same server with request
     * buffering on, which reads the body first.
     */
    public static String backendNginx(Path prefix, int port) {
        return """
                worker_processes 1;
                daemon off;
                pid %1$s/backend.pid;
                error_log %1$s/backend-error.log warn;
                events { worker_connections 8192; }
                http {
                    access_log off;
                    default_type text/plain;
                    keepalive_requests 100000000;
                    keepalive_timeout 300s;
                    client_body_temp_path %1$s/backend-body;
                    proxy_temp_path %1$s/backend-proxy;
                    fastcgi_temp_path %1$s/backend-fastcgi;
                    uwsgi_temp_path %1$s/backend-uwsgi;
                    scgi_temp_path %1$s/backend-scgi;
                    upstream self {
                        server 127.0.0.1:%2$d;
                        keepalive 64;
                    }
                    server {
                        listen 127.0.0.1:%2$d backlog=4096;
                        client_max_body_size 0;
                        client_body_buffer_size 2m;
                        location = / { return 200 "ok"; }
                        location = /ok { return 200 "ok"; }
                        location = /upload {
                            proxy_pass http://self/ok;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                        location = /16k { root %1$s/static; }
                    }
                }
                """.formatted(prefix, port);
    }

    /** nginx as a reverse proxy: one worker, a keep-alive pool of {@link #UPSTREAM_POOL}, h2 on the TLS port. */
    public static String nginxProxy(Path prefix, int httpPort, int httpsPort, int backendPort, Path cert, Path key) {
        return """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events { worker_connections 8192; }
                http {
                    access_log off;
                    keepalive_requests 100000000;
                    keepalive_timeout 300s;
                    client_body_temp_path %1$s/nginx-body;
                    proxy_temp_path %1$s/nginx-proxy;
                    fastcgi_temp_path %1$s/nginx-fastcgi;
                    uwsgi_temp_path %1$s/nginx-uwsgi;
                    scgi_temp_path %1$s/nginx-scgi;
                    upstream backend {
                        server 127.0.0.1:%4$d;
                        keepalive %7$d;
                        keepalive_requests 100000000;
                        keepalive_timeout 300s;
                    }
                    server {
                        listen 127.0.0.1:%2$d backlog=4096;
                        listen 127.0.0.1:%3$d ssl http2 backlog=4096;
                        ssl_certificate %5$s;
                        ssl_certificate_key %6$s;
                        ssl_protocols TLSv1.3;
                        http2_max_concurrent_streams 128;
                        client_max_body_size 0;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_request_buffering off;
                        }
                    }
                }
                """.formatted(prefix, httpPort, httpsPort, backendPort, cert, key, UPSTREAM_POOL);
    }

    /** HAProxy: one thread, server connections reused across clients, h2 on the TLS port. */
    public static String haproxy(int httpPort, int httpsPort, int backendPort, Path certAndKey) {
        return """
                global
                    nbthread 1
                    maxconn 8000
                    ssl-default-bind-options ssl-min-ver TLSv1.3
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 60s
                    timeout server 60s
                    timeout http-keep-alive 300s
                    option http-keep-alive
                    http-reuse always
                frontend signalbox_perf
                    bind 127.0.0.1:%1$d
                    bind 127.0.0.1:%2$d ssl crt %4$s alpn h2,http/1.1
                    default_backend backend
                backend backend
                    server b1 127.0.0.1:%3$d maxconn %5$d
                """.formatted(httpPort, httpsPort, backendPort, certAndKey, UPSTREAM_POOL);
    }
}

package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ExternalAuthAnswer;
import dev.signalbox.proxy.http.HeaderRewriter;
import dev.signalbox.proxy.http.Htpasswd;
import dev.signalbox.routing.AccessRules;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.snapshot.RouteAccess;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a restricted route's access rules for one request (issue 18), in nginx's access-phase order: a route its
 * Ingress's annotations could not configure answers 503 (ingress-nginx's denied location), a client outside the source
 * ranges gets 403, then basic authentication: 401 with {@code WWW-Authenticate} without valid credentials, then the
 * {@code auth-url} service ({@link ExternalAuthCall}, {@link ExternalAuthAnswer}), asked over the proxy's own backend
 * connections, within the proxy's response timeout.
 *
 * <p>Threads: called on the request's event loop; the answer comes back on that loop. SHA-1 and MD5-crypt take
 * microseconds and are checked there. bcrypt takes milliseconds of CPU per check (cost 10: tens of ms here), which
 * would stall every other connection of the loop: it runs on a small pool of its own with a bounded queue (a full
 * queue answers 503 rather than let a password-guessing client queue unbounded work), and a successful check is
 * remembered (an HMAC of the hash and the password under a key of this process, at most {@value #VERIFIED_MAX}),
 * so a user's next requests are checked at once. Failures are not remembered. The users of each sealed Secret are
 * opened and parsed once and kept while snapshots name them.
 */
final class AccessGate {
    private static final Logger LOG = LoggerFactory.getLogger(AccessGate.class);
    static final int VERIFIED_MAX = 10_000;
    private static final int USERS_MAX = 1_000;
    private static final int QUEUE = 256;

    private final KeyRing keys;
    private final ThreadPoolExecutor verifier;
    /** Opened users by sealed Secret data and format; a String is why they could not be opened. */
    private final Map<UsersKey, Object> users = new ConcurrentHashMap<>();

    private record UsersKey(SealedKey data, String secret, boolean authMap) {
    }
    private final Map<String, Boolean> verified = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > VERIFIED_MAX;
        }
    };
    private final byte[] macKey = new byte[32];
    /** auth-url answers by HMAC of the URL and the auth-cache-key's value ({@value #VERIFIED_MAX} at most). */
    private final Map<String, Remembered> answers = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > VERIFIED_MAX;
        }
    };

    private final Backends backends;
    private final java.time.Duration authTimeout;

    /**
     * @param backends    where auth-url requests get their connections (the proxy's backend pools)
     * @param authTimeout how long an auth-url service may take to accept the connection, and then between two reads
     *                    (nginx's proxy_connect_timeout and proxy_read_timeout, 60 s by default in its auth location)
     */
    AccessGate(KeyRing keys, Backends backends, java.time.Duration authTimeout) {
        this.keys = keys;
        this.backends = backends;
        this.authTimeout = authTimeout;
        new SecureRandom().nextBytes(macKey);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        AtomicInteger n = new AtomicInteger();
        this.verifier = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "signalbox-proxy-bcrypt-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        verifier.allowCoreThreadTimeOut(true);
    }

    /**
     * Checks {@code request} against {@code rules}; {@code then} gets null to go on, or the refusal to answer with,
     * on the loop of {@code stream}. Before a null, {@code cookies} gets the auth-url service's Set-Cookie values for the
     * answer ({@link ExternalAuthAnswer#addCookies}), when it sent any. Call before the request's identity fields are
     * rewritten.
     */
    void check(AccessRules rules, HttpRequest request, HeaderRewriter.Forwarding from, ClientStream stream,
               long version, Consumer<List<String>> cookies, Consumer<FullHttpResponse> then) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (rules.denied() != null) {
            then.accept(Responses.plain(stream.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE, "this route's access "
                    + "control is misconfigured; its Ingress carries an error diagnostic (Signalbox)", version, keepAlive));
            return;
        }
        String client = HeaderRewriter.clientAddress(request.headers(), from);
        if (!rules.sourceAllowed(client)) {
            then.accept(Responses.plain(stream.alloc(), HttpResponseStatus.FORBIDDEN, "forbidden: the client address "
                    + client + " is not allowed on this route", version, keepAlive));
            return;
        }
        RouteAccess.BasicAuth basic = rules.basicAuth();
        Consumer<FullHttpResponse> next = rules.externalAuth() == null ? then : refused -> {
            if (refused != null) {
                then.accept(refused);
            } else {
                askExternal(rules, request, from, stream, version, cookies, then);
            }
        };
        if (basic == null) {
            next.accept(null);
            return;
        }
        Object u = users(basic);
        if (u instanceof String problem) {
            next.accept(Responses.plain(stream.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE, "this route's users cannot "
                    + "be read by this proxy (Signalbox): " + problem, version, keepAlive));
            return;
        }
        Htpasswd.Credentials c = Htpasswd.credentials(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        String hash = c == null ? null : ((Htpasswd) u).hash(c.user());
        if (hash == null) {
            next.accept(unauthorized(stream, basic, version, keepAlive));
            return;
        }
        if (!Htpasswd.slow(hash)) {
            next.accept(Htpasswd.matches(hash, c.password()) ? null : unauthorized(stream, basic, version, keepAlive));
            return;
        }
        String remembered = mac(hash, c.password());
        synchronized (verified) {
            if (verified.get(remembered) != null) {
                next.accept(null);
                return;
            }
        }
        try {
            verifier.execute(() -> {
                boolean ok = Htpasswd.matches(hash, c.password());
                if (ok) {
                    synchronized (verified) {
                        verified.put(remembered, Boolean.TRUE);
                    }
                }
                stream.eventLoop().execute(() -> next.accept(ok ? null : unauthorized(stream, basic, version, keepAlive)));
            });
        } catch (RejectedExecutionException e) {
            next.accept(Responses.plain(stream.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE, "too many password checks "
                    + "are waiting; try again (Signalbox)", version, keepAlive));
        }
    }

    /** Asks the route's auth-url service; see {@link ExternalAuthCall}. */
    private void askExternal(AccessRules rules, HttpRequest request, HeaderRewriter.Forwarding from,
                             ClientStream stream, long version, Consumer<List<String>> cookies,
                             Consumer<FullHttpResponse> then) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        RouteAccess.ExternalAuth auth = rules.externalAuth();
        if (rules.authTarget() == null) {
            then.accept(Responses.plain(stream.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "the authentication "
                    + "service's URL does not parse (Signalbox)", version, keepAlive));
            return;
        }
        String cacheKey = auth.cacheKey() == null ? null : mac(auth.url(), ExternalAuthAnswer.cacheKey(auth.cacheKey(),
                request.headers(), HeaderRewriter.clientAddress(request.headers(), from), request.uri())
                .getBytes(StandardCharsets.UTF_8));
        Remembered known = cacheKey == null ? null : remembered(cacheKey);
        if (known != null) {
            apply(known.reply(), auth, request, from, stream, version, keepAlive, cookies, then);
            return;
        }
        ExternalAuthCall.start(stream, backends, authTimeout, rules.authTarget(), auth, request, from, (status, reply) -> {
            // nginx's proxy_cache does not keep an answer that sets a cookie.
            long seconds = cacheKey == null || status == 0 || !ExternalAuthAnswer.cookies(reply).isEmpty() ? 0
                    : ExternalAuthAnswer.cacheSeconds(auth.cacheValid(), status);
            if (seconds > 0) {
                synchronized (answers) {
                    answers.put(cacheKey, new Remembered(reply, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)));
                }
            }
            apply(reply, auth, request, from, stream, version, keepAlive, cookies, then);
        });
    }

    /** An auth-url answer remembered until {@code expiresNanos} (System.nanoTime). */
    private record Remembered(ExternalAuthAnswer.Reply reply, long expiresNanos) {
    }

    private Remembered remembered(String key) {
        synchronized (answers) {
            Remembered r = answers.get(key);
            if (r != null && r.expiresNanos() - System.nanoTime() <= 0) {
                answers.remove(key);
                return null;
            }
            return r;
        }
    }

    /** Goes on or answers as the auth-url service's {@code reply} says. */
    private static void apply(ExternalAuthAnswer.Reply reply, RouteAccess.ExternalAuth auth, HttpRequest request,
                          HeaderRewriter.Forwarding from, ClientStream stream, long version, boolean keepAlive,
                          Consumer<List<String>> cookies, Consumer<FullHttpResponse> then) {
        if (reply instanceof ExternalAuthAnswer.Allow allow) {
            for (ExternalAuthAnswer.Field f : allow.fields()) {
                if (f.value() == null) {
                    request.headers().remove(f.name());
                } else {
                    request.headers().set(f.name(), f.value());
                }
            }
            if (!allow.cookies().isEmpty()) {
                cookies.accept(allow.cookies());
            }
            then.accept(null);
            return;
        }
        ExternalAuthAnswer.Refuse refuse = (ExternalAuthAnswer.Refuse) reply;
        if (refuse.signin()) {
            FullHttpResponse redirect = Responses.redirect(stream.alloc(), 302, ExternalAuthAnswer.signinLocation(
                    auth.signin(), auth.signinRedirectParam() == null ? "rd" : auth.signinRedirectParam(), from.scheme(),
                    request.headers().get(HttpHeaderNames.HOST), request.uri()), version, keepAlive);
            ExternalAuthAnswer.addCookies(redirect.headers(), 302, refuse.cookies());
            then.accept(redirect);
            return;
        }
        FullHttpResponse r = Responses.plain(stream.alloc(), HttpResponseStatus.valueOf(refuse.status()), refuse.reason(),
                version, keepAlive);
        refuse.challenges().forEach(c -> r.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, c));
        then.accept(r);
    }

    private static FullHttpResponse unauthorized(ClientStream stream, RouteAccess.BasicAuth basic, long version,
                                                 boolean keepAlive) {
        FullHttpResponse r = Responses.plain(stream.alloc(), HttpResponseStatus.UNAUTHORIZED, "authorization required",
                version, keepAlive);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, Htpasswd.challenge(basic.realm() == null ? "" : basic.realm()));
        return r;
    }

    /** The users of {@code basic}'s Secret, opened and parsed once, or why they cannot be. */
    private Object users(RouteAccess.BasicAuth basic) {
        UsersKey key = new UsersKey(basic.credentials(), basic.secret(), basic.authMap());
        Object u = users.get(key);
        if (u != null) {
            return u;
        }
        if (users.size() >= USERS_MAX) {
            // Older snapshots' Secrets: opened again on demand.
            users.clear();
        }
        u = open(basic);
        users.put(key, u);
        return u;
    }

    private Object open(RouteAccess.BasicAuth basic) {
        try {
            byte[] json = keys.open(basic.credentials(), basic.secret());
            Map<String, String> data = Json.MAPPER.readValue(json,
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, String>>() { });
            if (basic.authMap()) {
                return Htpasswd.ofMap(data);
            }
            String file = data.get("auth");
            if (file == null) {
                LOG.warn("auth Secret {} has no key \"auth\" (auth-secret-type auth-file): every request is refused",
                        basic.secret());
                return "the Secret has no key \"auth\"";
            }
            return Htpasswd.parse(file);
        } catch (GeneralSecurityException | java.io.IOException e) {
            LOG.warn("cannot open auth Secret {}: {}", basic.secret(), e.toString());
            return "its Secret does not open with this proxy's key-encryption keys";
        }
    }

    private String mac(String hash, byte[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            mac.update(hash.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(password);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always has HmacSHA256", e);
        }
    }
}

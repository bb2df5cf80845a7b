package dev.signalbox.testing;

import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listener for the JDK's {@link WebSocket} that collects what it receives: whole text messages, in order, and how
 * the WebSocket ended ("closed CODE" or "failed ERROR"). Called on the client's threads, read by the test's.
 */
public final class WebSocketInbox implements WebSocket.Listener {
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final Duration wait;
    private StringBuilder part = new StringBuilder();

    /** An inbox whose {@link #next()} waits at most {@code wait}. */
    public WebSocketInbox(Duration wait) {
        this.wait = wait;
    }

    @Override
    public void onOpen(WebSocket w) {
        w.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        part.append(data);
        if (last) {
            texts.add(part.toString());
            part = new StringBuilder();
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        ended.complete("closed " + code);
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        ended.complete("failed " + error);
    }

    /** How the WebSocket ended, once it has: "closed CODE" or "failed ERROR". */
    public CompletableFuture<String> ended() {
        return ended;
    }

    /** The next whole text message; fails when none arrives in time. */
    public String next() throws InterruptedException {
        String s = texts.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no message within " + wait + (ended.isDone() ? "; " + ended.getNow("") : ""));
        }
        return s;
    }
}

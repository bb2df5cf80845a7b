package dev.signalbox.proxy.status;

import java.time.Clock;

/**
 * The node's own state as the admin port reports it: the snapshot feed's health and whether the node is
 * draining (shutting down: /readyz answers 503 so load balancers stop sending). Thread-safe.
 */
public final class NodeStatus {
    private final Clock clock;
    private final FeedHealth feed;
    private volatile boolean draining;

    public NodeStatus(Clock clock, FeedHealth feed) {
        this.clock = clock;
        this.feed = feed;
    }

    public Clock clock() {
        return clock;
    }

    public FeedHealth feed() {
        return feed;
    }

    public FeedHealth.View feedView() {
        return feed.view(clock.instant());
    }

    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }
}

package dev.signalbox.compiler.kafka;

/**
 * Whether a new version goes to the snapshots topic whole or as a delta against the previous one (issue 15). A pure
 * decision: a full snapshot when no full snapshot is known under the previous version (a compiler that has not read
 * the topic's latest version and its chain), every {@code fullEvery} versions (so a new proxy or a replay reads at
 * most that many deltas after the latest full snapshot), and whenever the delta would not be much smaller than the
 * table; a delta otherwise.
 *
 * @param fullEvery a full snapshot at least every this many versions
 */
record SnapshotPlan(int fullEvery) {
    /** 100 versions: a reader joining between two full snapshots applies at most 99 deltas. */
    static final SnapshotPlan DEFAULT = new SnapshotPlan(100);

    SnapshotPlan {
        if (fullEvery < 1) {
            throw new IllegalArgumentException("a full snapshot every " + fullEvery + " versions");
        }
    }

    enum Form { FULL, DELTA }

    /**
     * @param version         the version to publish
     * @param lastFullVersion the full snapshot the previous version's chain starts from, 0 for none known
     * @param deltaBytes      the encoded delta against the previous version, or -1 when there is none to send (the
     *                        previous table is unknown, or the delta does not rebuild the table)
     * @param lastFullBytes   the encoded size of that last full snapshot
     */
    Form decide(long version, long lastFullVersion, long deltaBytes, long lastFullBytes) {
        if (lastFullVersion <= 0 || deltaBytes < 0 || version - lastFullVersion >= fullEvery) {
            return Form.FULL;
        }
        // A delta half as big as the table saves little and costs every reader a chain step.
        return deltaBytes * 2 > lastFullBytes ? Form.FULL : Form.DELTA;
    }
}

package dev.signalbox.compiler.election;

/**
 * What one compiler knows of the lease from the records it read, in the topic's one order: the current
 * term, its holder, when (this compiler's monotonic clock, nanoseconds) the holder was last heard from, and
 * whether the holder released it. Every compiler reads the same records in the same order, so all agree on
 * each term's holder: the first claim of a term wins, later claims of it lose. Pure; no clock of its own.
 *
 * @param term     0 before any claim was read
 * @param holder   "" before any claim was read
 * @param seenAt   when the holder's latest claim or renewal was read (or, for one read on start, written)
 * @param released the holder released the term (it stopped): a standby need not wait for the lease to run out
 */
public record LeaseView(long term, String holder, long seenAt, boolean released) {
    public static final LeaseView NONE = new LeaseView(0, "", 0, false);

    /** The view after reading {@code r} at {@code at}. */
    public LeaseView apply(LeaseRecord r, long at) {
        if (r.term() > term) {
            // A claim of a later term. A renewal of a later term is read only when the claim before it was not
            // (a compiler reads the last few records on start): the renewing compiler won that term's claim.
            return r.kind() == LeaseRecord.Kind.RELEASE ? new LeaseView(r.term(), r.holder(), at, true)
                    : new LeaseView(r.term(), r.holder(), at, false);
        }
        if (r.term() < term || !r.holder().equals(holder)) {
            // A late renewal of an older term (its holder was paused), or a losing claim of this term.
            return this;
        }
        return switch (r.kind()) {
            case CLAIM, RENEW -> released ? this : new LeaseView(term, holder, at, false);
            case RELEASE -> new LeaseView(term, holder, at, true);
        };
    }

    public boolean heldBy(String me) {
        return term > 0 && holder.equals(me) && !released;
    }
}

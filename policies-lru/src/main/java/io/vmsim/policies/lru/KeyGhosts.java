package io.vmsim.policies.lru;

/** {@link ArcGhosts} by page key: two {@link GhostList}s (a hash map and a ring each). */
final class KeyGhosts implements ArcGhosts {
    private final GhostList b1;
    private final GhostList b2;

    KeyGhosts(int capacity) {
        b1 = new GhostList(capacity);
        b2 = new GhostList(capacity);
    }

    @Override
    public int where(long page) {
        return b1.contains(page) ? B1 : b2.contains(page) ? B2 : NONE;
    }

    @Override
    public void remove(long page) {
        if (!b1.remove(page)) {
            b2.remove(page);
        }
    }

    @Override
    public void add(long page, int list) {
        (list == B1 ? b1 : b2).add(page);
    }

    @Override
    public void removeOldest(int list) {
        (list == B1 ? b1 : b2).removeOldest();
    }

    @Override
    public int size(int list) {
        return (list == B1 ? b1 : b2).size();
    }

    @Override
    public void verify(String owner) {
        b1.verify(owner + " B1");
        b2.verify(owner + " B2");
    }
}

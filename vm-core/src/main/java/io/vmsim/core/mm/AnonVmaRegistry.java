package io.vmsim.core.mm;

import java.util.ArrayList;
import java.util.List;

/** Maps anon_vma ids (as stored in frames) to their objects. Ids start at 1; 0 means none. */
public final class AnonVmaRegistry {
    private final List<AnonVma> byId = new ArrayList<>();

    public AnonVmaRegistry() {
        byId.add(null);
    }

    public AnonVma create() {
        AnonVma a = new AnonVma(byId.size());
        byId.add(a);
        return a;
    }

    /** One more than the largest id handed out (ids run from 1). */
    public int limit() {
        return byId.size();
    }

    public AnonVma get(int id) {
        return byId.get(id);
    }
}

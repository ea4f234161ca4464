package io.vmsim.api.machine;

/** The simulation's deterministic clock. Time advances only by charged costs, never by wall time. */
public interface Clock {
    /** Simulated nanoseconds since the start of the run. */
    long nanoTime();
}

package io.vmsim.core.uffd;

/**
 * The thread that reads a userfaultfd and resolves its faults: Java code acting as the monitor
 * on simulated time. A monitor runs on a CPU of its own; it has its own time,
 * {@link Userfaultfd#monitorNs()}, which only moves forward.
 *
 * <p>vmsim runs one thing at a time, so a message is handed to the monitor when it is queued:
 * {@link #handle} is called with the monitor's time already advanced to the message's
 * {@link UffdMsg#queuedNs()} if it was idle before (a busy monitor reads it later, in FIFO
 * order: its time is then past the message's). The monitor models its work by advancing its
 * time ({@link Userfaultfd#monitorSleep}, {@link Userfaultfd#monitorSleepUntil}), and resolves
 * the fault with the range ioctls ({@link Userfaultfd#copy}, {@link Userfaultfd#zeropage},
 * {@link Userfaultfd#cont}, {@link Userfaultfd#writeProtect}, {@link Userfaultfd#wake}); each wakes
 * the faulting thread (unless asked not to, {@code MODE_DONTWAKE}) at the monitor's time of the
 * call. The faulting thread waited from the fault to that time, which is charged to the
 * simulated clock. A fault that the monitor left unresolved and unwoken when {@code handle}
 * returns would block its thread forever: the run stops with an error saying so.
 *
 * <p>Non-cooperative events (FORK, REMAP, REMOVE, UNMAP) are handed over the same way; the
 * thread that caused one waits until the monitor has read it
 * ({@code userfaultfd_event_wait_completion()}), that is until the monitor's time when
 * {@code handle} returns.
 *
 * <p>The ioctls' CPU costs (copying a page) are charged to the monitor's CPU time
 * ({@link Userfaultfd#monitorCpuNs()}), not to its time: the modelled delay is the monitor's
 * own choice.
 */
@FunctionalInterface
public interface UffdMonitor {
    /** Reads and handles {@code msg} from {@code uffd}. */
    void handle(Userfaultfd uffd, UffdMsg msg);
}

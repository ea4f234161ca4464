package io.vmsim.policies.ksm;

import io.vmsim.api.policy.DedupPolicy;

/**
 * Linux's ksmd ({@code mm/ksm.c}, Linux 6.18): {@code pages_to_scan} pages every
 * {@code sleep_millisecs}, every page of every mergeable area in turn, each merge taken. The
 * mechanism (checksums, trees, {@code max_page_sharing} chains, {@code smart_scan}) is the
 * core's; this policy adds nothing to it, which makes it the baseline.
 */
public final class LinuxKsmPolicy implements DedupPolicy {
    @Override
    public boolean enabled() {
        return true;
    }
}

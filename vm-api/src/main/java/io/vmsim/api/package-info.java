/**
 * The stable vmsim API: value types, read-only views of the simulated machine, and the policy
 * SPI through which reclaim, huge-page, NUMA and deduplication policies plug in.
 *
 * <p>This module depends on the JDK only. Policies see frames as {@code int} page-frame numbers
 * (PFNs) and virtual addresses as {@code long}; they never hold references to core objects.
 */
package io.vmsim.api;

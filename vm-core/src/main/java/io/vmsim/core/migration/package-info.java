/**
 * Live migration of a guest (issue 12): precopy with dirty logging and iterative rounds,
 * postcopy whose destination serves the guest's faults through userfaultfd, and the hybrid,
 * over a link of bandwidth B and round-trip time RTT, on simulated time. See docs/migration.md.
 */
package io.vmsim.core.migration;

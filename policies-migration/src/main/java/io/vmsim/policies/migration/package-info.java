/**
 * Live-migration policies (issue 12): the order precopy sends pages and the page the postcopy
 * background stream pushes next: {@code linear}, QEMU's {@code last-fault-first}, and
 * {@code adaptive-prepaging} after Hines and Gopalan (VEE 2009).
 */
package io.vmsim.policies.migration;

/** Page deduplication policies: the "KSM off" baseline. */
package io.vmsim.policies.ksm;

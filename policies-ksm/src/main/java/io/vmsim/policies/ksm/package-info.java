/** Page deduplication policies: Linux's ksmd, a hash-prioritised scanner after UKSM, and the "KSM off" baseline. */
package io.vmsim.policies.ksm;

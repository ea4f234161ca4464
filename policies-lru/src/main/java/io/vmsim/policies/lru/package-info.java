/** Baseline reclaim policies for cache studies: exact LRU and FIFO. */
package io.vmsim.policies.lru;

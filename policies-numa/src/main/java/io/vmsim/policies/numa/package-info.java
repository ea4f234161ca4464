/**
 * NUMA placement policies: Linux's default local (first-touch) allocation, its automatic NUMA
 * balancing ({@code linux}, with Linux's memory-tiering promotion rule), interleaving over every
 * node ({@code interleave}), and the tiering policies {@code tpp} (TPP, ASPLOS 2023) and
 * {@code memtis} (after Memtis, SOSP 2023).
 */
package io.vmsim.policies.numa;

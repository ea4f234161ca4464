/** NUMA placement policies: Linux's default local (first-touch) allocation, its automatic NUMA balancing ({@code linux}), and interleaving over every node. */
package io.vmsim.policies.numa;
